import Foundation
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

@Suite("Tenant directories")
struct TenantDirectoriesTests {
    @Test("a deleted tenant's directory moves aside, can be put back, and is purged after its grace period")
    func moveAsideAndPurge() throws {
        let directory = try TemporaryDirectory("zc-dirs")
        defer { directory.remove() }
        let directories = TenantDirectories(root: directory.file("tenants"), ownedByTenant: false)
        let id = try TenantID("acme")
        _ = try directories.prepare(id, uid: 200_000)
        try directories.writeConfig("default_model = \"m\"\n", of: id, uid: 200_000)
        var info = stat()
        #expect(stat(directories.path(of: id), &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat("\(directories.path(of: id))/.zeroclaw/config.toml", &info) == 0 && info.st_mode & 0o777 == 0o600)

        let old = try #require(try directories.moveAside(id, at: Timestamp(seconds: 1_000)))
        #expect(old.hasSuffix("/.deleted/acme.1000"))
        #expect(!FileManager.default.fileExists(atPath: directories.path(of: id)))
        directories.restore(old, to: id)
        #expect(FileManager.default.fileExists(atPath: "\(directories.path(of: id))/.zeroclaw/config.toml"))
        _ = try directories.moveAside(id, at: Timestamp(seconds: 1_000))
        _ = try directories.prepare(id, uid: 200_000)
        let recent = try #require(try directories.moveAside(id, at: Timestamp(seconds: 5_000)))
        #expect(try directories.moveAside(try TenantID("none"), at: .now()) == nil)

        #expect(directories.purge(deletedBefore: Timestamp(seconds: 2_000)) == [old])
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: recent))
    }

    @Test("a directory that cannot be created is a clear error naming it")
    func unwritable() throws {
        let directory = try TemporaryDirectory("zc-dirs")
        defer { directory.remove() }
        try Data("not a directory".utf8).write(to: URL(fileURLWithPath: directory.file("file")))
        let directories = TenantDirectories(root: directory.file("file/tenants"), ownedByTenant: false)
        #expect(throws: TenantDirectories.Failure.self) { _ = try directories.prepare(try TenantID("acme"), uid: 1) }
        let id = try TenantID("acme")
        do {
            _ = try directories.prepare(id, uid: 1)
        } catch {
            #expect(
                error.publicMessage.hasPrefix("cannot create \(directory.file("file/tenants"))"),
                "\(error.publicMessage)")
        }
    }
}
