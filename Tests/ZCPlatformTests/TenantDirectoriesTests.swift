import Foundation
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

@Suite("Tenant directories")
struct TenantDirectoriesTests {
    /// Root gives tenants their directories; elsewhere ownership stays the platform's.
    static let asRoot = getuid() == 0
    static let uid = 200_123

    struct Fixture {
        let directory: TemporaryDirectory
        let directories: TenantDirectories
        let id: TenantID
        /// A host directory and file the tenant aims its links at.
        let outside: String
        let secret: String

        init() throws {
            directory = try TemporaryDirectory("zc-dirs")
            directories = TenantDirectories(
                root: directory.file("tenants"), ownedByTenant: TenantDirectoriesTests.asRoot)
            id = try TenantID("acme")
            outside = directory.file("host")
            secret = directory.file("host/shadow")
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try Data("root:secret\n".utf8).write(to: URL(fileURLWithPath: secret))
            _ = try directories.prepare(id, uid: TenantDirectoriesTests.uid)
        }

        var agent: String { "\(directories.path(of: id))/.zeroclaw" }

        /// The host directory and file are as they were: same owner, no config written into them.
        func expectHostUntouched(sourceLocation: SourceLocation = #_sourceLocation) throws {
            var info = stat()
            #expect(stat(outside, &info) == 0 && info.st_uid == getuid(), sourceLocation: sourceLocation)
            #expect(!FileManager.default.fileExists(atPath: "\(outside)/config.toml"), sourceLocation: sourceLocation)
            #expect(stat(secret, &info) == 0 && info.st_uid == getuid(), sourceLocation: sourceLocation)
            let text = try String(contentsOfFile: secret, encoding: .utf8)
            #expect(text == "root:secret\n", sourceLocation: sourceLocation)
        }
    }

    @Test("a deleted tenant's directory moves aside, can be put back, and is purged after its grace period")
    func moveAsideAndPurge() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let (directories, id) = (fixture.directories, fixture.id)
        try directories.writeConfig("default_model = \"m\"\n", of: id, uid: Self.uid)
        var info = stat()
        #expect(stat(directories.path(of: id), &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat("\(fixture.agent)/config.toml", &info) == 0 && info.st_mode & 0o777 == 0o600)
        if Self.asRoot {
            #expect(info.st_uid == uid_t(Self.uid) && info.st_gid == gid_t(Self.uid))
            #expect(stat(fixture.agent, &info) == 0 && info.st_uid == uid_t(Self.uid))
        }

        let old = try #require(try directories.moveAside(id, at: Timestamp(seconds: 1_000)))
        #expect(old.hasSuffix("/.deleted/acme.1000"))
        #expect(!FileManager.default.fileExists(atPath: directories.path(of: id)))
        directories.restore(old, to: id)
        #expect(FileManager.default.fileExists(atPath: "\(fixture.agent)/config.toml"))
        _ = try directories.moveAside(id, at: Timestamp(seconds: 1_000))
        _ = try directories.prepare(id, uid: Self.uid)
        let recent = try #require(try directories.moveAside(id, at: Timestamp(seconds: 5_000)))
        #expect(try directories.moveAside(try TenantID("none"), at: .now()) == nil)

        #expect(try directories.purge(deletedBefore: Timestamp(seconds: 2_000)) == [old])
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: recent))
    }

    @Test("a directory that cannot be created is a clear error that names no host path")
    func unwritable() throws {
        let directory = try TemporaryDirectory("zc-dirs")
        defer { directory.remove() }
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: directory.file("file")))
        let directories = TenantDirectories(root: directory.file("file/tenants"), ownedByTenant: false)
        let id = try TenantID("acme")
        do {
            _ = try directories.prepare(id, uid: 1)
            Issue.record("prepare succeeded under a file")
        } catch let failure as TenantTreeFailure {
            #expect(failure.publicMessage.hasPrefix("cannot "))
            #expect(failure.publicMessage.contains("the tenants' directory (runtime.data_dir): Not a directory"))
            #expect(!failure.publicMessage.contains(directory.path), "\(failure.publicMessage)")
            #expect(failure.description.contains(directory.path), "the log line names the host path")
        }
    }

    @Test(".zeroclaw replaced by a link to a host directory: refused, nothing owned or written outside the tree")
    func plantedDirectoryLink() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        try FileManager.default.removeItem(atPath: fixture.agent)
        try FileManager.default.createSymbolicLink(atPath: fixture.agent, withDestinationPath: fixture.outside)
        for attempt in [
            { try fixture.directories.writeConfig("x = 1\n", of: fixture.id, uid: Self.uid) },
            { _ = try fixture.directories.prepare(fixture.id, uid: Self.uid) },
        ] {
            #expect {
                try attempt()
            } throws: { error in
                let refusal = try #require(error as? TenantTreeRefusal)
                return refusal.path == ".zeroclaw" && refusal.found == "a symbolic link"
                    && refusal.publicMessage.contains("symbolic link at .zeroclaw")
            }
        }
        try fixture.expectHostUntouched()
    }

    @Test("config.toml as a link, a FIFO or a hard link to a host file: refused, the host file untouched")
    func plantedFiles() throws {
        let kinds: [(String, (String, String) throws -> Void)] = [
            (
                "a symbolic link",
                { target, link in try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
                }
            ),
            (
                "a file with 2 hard links",
                { target, link in try FileManager.default.linkItem(atPath: target, toPath: link) }
            ),
            ("a FIFO", { _, link in guard mkfifo(link, 0o600) == 0 else { throw DeepTreeError(errno: errno) } }),
            (
                "a directory",
                { _, link in try FileManager.default.createDirectory(atPath: link, withIntermediateDirectories: false) }
            ),
        ]
        for (found, plant) in kinds {
            let fixture = try Fixture()
            defer { fixture.directory.remove() }
            try plant(fixture.secret, "\(fixture.agent)/config.toml")
            #expect {
                try fixture.directories.writeConfig("x = 1\n", of: fixture.id, uid: Self.uid)
            } throws: { error in
                let refusal = try #require(error as? TenantTreeRefusal)
                return refusal.path == ".zeroclaw/config.toml" && refusal.found == found
            }
            try fixture.expectHostUntouched()
        }
    }

    @Test(
        "reading config.toml back (the agent's pairings): a link, hard link, FIFO or directory is refused without hanging; an oversize file is too large, never read whole"
    )
    func readConfigHostile() throws {
        let plants: [(String, (String, String) throws -> Void)] = [
            ("a symbolic link", { try FileManager.default.createSymbolicLink(atPath: $1, withDestinationPath: $0) }),
            ("a file with 2 hard links", { try FileManager.default.linkItem(atPath: $0, toPath: $1) }),
            ("a FIFO", { _, link in guard mkfifo(link, 0o600) == 0 else { throw DeepTreeError(errno: errno) } }),
            (
                "a directory",
                { try FileManager.default.createDirectory(atPath: $1, withIntermediateDirectories: false) }
            ),
        ]
        for (found, plant) in plants {
            let fixture = try Fixture()
            defer { fixture.directory.remove() }
            try plant(fixture.secret, "\(fixture.agent)/config.toml")
            #expect {
                _ = try fixture.directories.readConfig(of: fixture.id)
            } throws: { error in
                let refusal = try #require(error as? TenantTreeRefusal)
                return refusal.path == ".zeroclaw/config.toml" && refusal.found == found
            }
            try fixture.expectHostUntouched()
        }
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        #expect(try fixture.directories.readConfig(of: fixture.id) == nil, "no config yet")
        #expect(try fixture.directories.readConfig(of: TenantID("ghost")) == nil, "no directory")
        let config = "\(fixture.agent)/config.toml"
        try Data("[gateway]\npaired_tokens = [\"h\"]\n".utf8).write(to: URL(fileURLWithPath: config))
        #expect(
            try fixture.directories.readConfig(of: fixture.id).map { String(decoding: $0, as: UTF8.self) }
                == "[gateway]\npaired_tokens = [\"h\"]\n")
        // 8 MiB, sparse: refused from its size, not read.
        let file = open(config, O_WRONLY | O_TRUNC)
        #expect(file >= 0 && ftruncate(file, 8 << 20) == 0)
        close(file)
        #expect(throws: TenantFileTooLarge.self) {
            _ = try fixture.directories.readConfig(of: fixture.id, maxBytes: 1 << 20)
        }
    }

    @Test("a link planted at the temporary name is removed, not written through")
    func plantedTemporary() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        try FileManager.default.createSymbolicLink(
            atPath: "\(fixture.agent)/config.toml.zcplatform-new", withDestinationPath: fixture.secret)
        try fixture.directories.writeConfig("x = 1\n", of: fixture.id, uid: Self.uid)
        #expect(try String(contentsOfFile: "\(fixture.agent)/config.toml", encoding: .utf8) == "x = 1\n")
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.agent)/config.toml.zcplatform-new"))
        try fixture.expectHostUntouched()
    }

    @Test("purge removes links, not what they point at, and a tree 60,000 levels deep without recursion")
    func purgeHostileTree() async throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let top = fixture.directories.path(of: fixture.id)
        try FileManager.default.createSymbolicLink(atPath: "\(top)/host", withDestinationPath: fixture.outside)
        try FileManager.default.createSymbolicLink(atPath: "\(top)/shadow", withDestinationPath: fixture.secret)
        try FileManager.default.linkItem(atPath: fixture.secret, toPath: "\(top)/hard")
        #expect(mkfifo("\(top)/fifo", 0o600) == 0)
        // Seconds of file system work: off the cooperative pool, which every other test shares.
        try await Blocking.run { try DeepTree.make(at: top, depth: 60_000) }
        let moved = try #require(try fixture.directories.moveAside(fixture.id, at: Timestamp(seconds: 10)))
        let directories = fixture.directories
        let purged = try await Blocking.run { try directories.purge(deletedBefore: Timestamp(seconds: 20)) }
        #expect(purged == [moved])
        #expect(!FileManager.default.fileExists(atPath: moved))
        #expect(FileManager.default.fileExists(atPath: fixture.outside))
        try fixture.expectHostUntouched()
    }

    @Test("host paths in what members read are replaced by the key that names them, longest first")
    func scrubbing() {
        let scrubber = HostPathScrubber([
            ("/var/lib/zc/tenants", "{runtime.data_dir}"), ("/var/lib/zc", "{data}"), ("/", "{root}"), ("x", "{x}"),
        ])
        #expect(
            scrubber.scrub("bind source path does not exist: /var/lib/zc/tenants/acme (and /var/lib/zc/other)")
                == "bind source path does not exist: {runtime.data_dir}/acme (and {data}/other)")
        #expect(scrubber.scrub("the agent did not answer /health") == "the agent did not answer /health")
    }

    @Test("purge works within its budget and goes on where it stopped")
    func purgeBudget() async throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let top = fixture.directories.path(of: fixture.id)
        try await Blocking.run { try DeepTree.make(at: top, depth: 500) }
        let moved = try #require(try fixture.directories.moveAside(fixture.id, at: Timestamp(seconds: 10)))
        var rounds = 0
        while FileManager.default.fileExists(atPath: moved) && rounds < 100 {
            _ = try fixture.directories.purge(deletedBefore: Timestamp(seconds: 20), budget: 50)
            rounds += 1
        }
        #expect(!FileManager.default.fileExists(atPath: moved))
        #expect(rounds > 5, "500 levels at 50 operations a call take several calls: \(rounds)")
    }
}
