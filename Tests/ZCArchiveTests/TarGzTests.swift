import Foundation
import TestSupport
import Testing
import ZCCrypto

@testable import ZCArchive

/// The archive format against the system's `tar` and `gzip`, and every way an archive can be damaged.
@Suite("tar.gz archives")
struct TarGzTests {
    static func run(_ program: String, _ arguments: [String], in directory: String) async throws -> (Int32, String) {
        let output = try await ChildProcess.output([program] + arguments, directory: directory)
        return (output.status, output.stdoutText + output.stderrText)
    }

    /// Bytes that do not compress away: a seeded generator.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// An archive with a large file (several buffers), an empty one and a small one.
    static func makeArchive(in directory: TemporaryDirectory) throws -> (path: String, files: [String: [UInt8]]) {
        let files: [String: [UInt8]] = [
            "zcplatform.db": noise(300_000, seed: 1), "empty": [], "manifest.json": Array("{\"a\":1}\n".utf8),
        ]
        let source = directory.file("source.bin")
        try Data(files["zcplatform.db"]!).write(to: URL(fileURLWithPath: source))
        let path = directory.file("backup.tar.gz")
        let writer = try TarGzWriter(creating: path)
        let added = try writer.addFile("zcplatform.db", from: source, modificationTime: 1_790_000_000)
        #expect(added.bytes == 300_000)
        #expect(added.sha256 == SHA256Digest.hash(files["zcplatform.db"]!))
        try writer.addData("empty", [], modificationTime: 1_790_000_000)
        try writer.addData("manifest.json", files["manifest.json"]!, modificationTime: 1_790_000_000)
        try writer.finish()
        return (path, files)
    }

    static func readAll(_ path: String) throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        let entries = try TarGzReader(path: path).readAll { entry, piece in
            contents[entry.name, default: []] += piece
        }
        for (entry, digest) in entries {
            #expect(digest == SHA256Digest.hash(contents[entry.name] ?? []), "\(entry.name)'s checksum")
            if contents[entry.name] == nil { contents[entry.name] = [] }
        }
        return contents
    }

    @Test("round trip; the system's tar and gzip read what we write, and we read what GNU tar writes")
    func interoperates() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, files) = try Self.makeArchive(in: directory)
        #expect(try Self.readAll(path) == files)
        #expect(try await Self.run("/bin/gzip", ["-t", path], in: directory.path).0 == 0, "gzip -t accepts it")
        let listing = try await Self.run("/bin/tar", ["-tzvf", path], in: directory.path)
        #expect(listing.0 == 0, "\(listing.1)")
        #expect(listing.1.contains("zcplatform.db") && listing.1.contains("300000"))
        try FileManager.default.createDirectory(atPath: directory.file("out"), withIntermediateDirectories: true)
        #expect(try await Self.run("/bin/tar", ["-xzf", path, "-C", directory.file("out")], in: directory.path).0 == 0)
        #expect(
            FileManager.default.contents(atPath: directory.file("out/zcplatform.db")) == Data(files["zcplatform.db"]!))
        // The other way: GNU tar in ustar format, gzip-compressed.
        #expect(
            try await Self.run(
                "/bin/tar", ["--format=ustar", "-czf", directory.file("gnu.tar.gz"), "-C", directory.file("out"), "."],
                in: directory.path
            ).0 == 0)
        let gnu = try Self.readAll(directory.file("gnu.tar.gz"))
        #expect(gnu["./zcplatform.db"] == files["zcplatform.db"])
    }

    @Test("an archive cut short anywhere is refused as truncated", arguments: [10, 1000, 30_000, 150_000, -40, -8, -1])
    func truncated(_ cut: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, _) = try Self.makeArchive(in: directory)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let keep = cut >= 0 ? min(cut, bytes.count - 1) : bytes.count + cut
        bytes = bytes.prefix(keep)
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Self.readAll(path)
        } throws: { error in
            let text = (error as? ArchiveError)?.description ?? ""
            return text.contains("truncated") || text.contains("damaged")
        }
    }

    @Test(
        "a flipped byte anywhere is found (gzip's CRC, the tar checksums, or the data)",
        arguments: [3, 12, 500, 20_000, 200_000, -12, -5])
    func flipped(_ position: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (path, files) = try Self.makeArchive(in: directory)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let index = position >= 0 ? min(position, bytes.count - 1) : bytes.count + position
        bytes[index] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            let contents = try Self.readAll(path)
            // A flip that zlib cannot see must still change what comes out.
            Issue.record("read without error; contents equal: \(contents == files)")
        } catch {
            #expect(error is ArchiveError, "\(error)")
        }
    }

    @Test("headers: octal fields, base-256 sizes, the checksum; names that escape are refused")
    func headers() throws {
        let header = TarHeader(name: "zcplatform.db", size: 12_345, mode: 0o600, modificationTime: 1_790_000_000)
        let block = try header.encoded()
        #expect(block.count == 512)
        #expect(try TarHeader.decode(block[...]) == header)
        let huge = TarHeader(name: "big", size: 1 << 40, modificationTime: 0)
        #expect(try TarHeader.decode(try huge.encoded()[...])?.size == 1 << 40)
        var damaged = block
        damaged[130] ^= 0x01
        #expect(throws: ArchiveError.self) { try TarHeader.decode(damaged[...]) }
        #expect(try TarHeader.decode([UInt8](repeating: 0, count: 512)[...]) == nil)
        #expect(!TarGzReader.isSafe("../etc/passwd"))
        #expect(!TarGzReader.isSafe("/etc/passwd"))
        #expect(!TarGzReader.isSafe("a/../../b"))
        #expect(TarGzReader.isSafe("zcplatform.db"))
        #expect(throws: ArchiveError.self) {
            try TarHeader(name: String(repeating: "x", count: 101), size: 0).encoded()
        }
    }

    @Test("writing never replaces an existing file; a full disk is a clear error")
    func refusals() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("exists.tar.gz")
        FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        #expect(throws: ArchiveError.self) { _ = try TarGzWriter(creating: path) }
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
        // /dev/full answers every write with ENOSPC.
        if FileManager.default.fileExists(atPath: "/dev/full") {
            let file = try ArchiveFile(reading: "/dev/null")
            file.close()
            #expect {
                let writer = try GzipWriter(file: try ArchiveFile(appendingTo: "/dev/full"))
                try writer.write(Self.noise(200_000, seed: 3))
                try writer.finish()
            } throws: { error in
                (error as? ArchiveError)?.description.contains("No space left on device") == true
            }
        }
    }
}
