import Foundation
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// A tenant's directory packed for a move and unpacked on the target: what the tenant planted never
/// leads the platform outside the tree, and what arrives is what left.
@Suite("Tenant archives for moves")
struct TenantArchiveTests {
    @Test(
        "files and directories round-trip; links, FIFOs, hard links, too-long and too-deep paths are left out and counted"
    )
    func roundTrip() throws {
        let directory = try TemporaryDirectory("zc-archive")
        defer { directory.remove() }
        let tree = directory.file("tenant")
        let manager = FileManager.default
        try manager.createDirectory(atPath: "\(tree)/.zeroclaw/state", withIntermediateDirectories: true)
        try Data("key = 1\n".utf8).write(to: URL(fileURLWithPath: "\(tree)/.zeroclaw/config.toml"))
        try Data(repeating: 7, count: 300_000).write(to: URL(fileURLWithPath: "\(tree)/.zeroclaw/state/big.bin"))
        try Data().write(to: URL(fileURLWithPath: "\(tree)/empty"))
        try manager.createDirectory(atPath: "\(tree)/empty-dir", withIntermediateDirectories: true)
        // What a hostile agent plants.
        try manager.createSymbolicLink(atPath: "\(tree)/etc", withDestinationPath: "/etc")
        try manager.createSymbolicLink(atPath: "\(tree)/.zeroclaw/passwd", withDestinationPath: "/etc/passwd")
        #expect(mkfifo("\(tree)/pipe", 0o600) == 0)
        try Data("secret".utf8).write(to: URL(fileURLWithPath: directory.file("outside")))
        #expect(link(directory.file("outside"), "\(tree)/hardlink") == 0)
        let long = String(repeating: "n", count: 120)
        try manager.createDirectory(atPath: "\(tree)/\(long)/\(long)/\(long)", withIntermediateDirectories: true)
        try Data("far".utf8).write(to: URL(fileURLWithPath: "\(tree)/\(long)/\(long)/\(long)/f"))
        var deep = "\(tree)/deep"
        for _ in 0..<70 { deep += "/d" }
        try manager.createDirectory(atPath: deep, withIntermediateDirectories: true)

        let root = try DirectoryHandle.openConfigured(tree, name: "the tree")
        let archive = directory.file("tenant.tar.gz")
        let (sha256, packed) = try TenantArchive.pack(root, into: archive)
        #expect(sha256 == (try TenantArchive.sha256(of: archive)))
        #expect(packed.files == 3, "config.toml, big.bin, empty: \(packed)")
        #expect(packed.bytes == 8 + 300_000)
        // etc, passwd, pipe, hardlink, the too-long path, and the directory past the depth limit.
        #expect(packed.skipped == 6, "\(packed.skippedExamples)")
        #expect(packed.skippedExamples.contains { $0.hasPrefix("etc (a symbolic link)") })
        #expect(packed.skippedExamples.contains { $0.hasPrefix("hardlink (a file with 2 hard links)") })

        let landing = directory.file("landed")
        let unpacked = try TenantArchive.unpack(archive, into: landing, owner: nil)
        #expect(unpacked.files == 3)
        #expect(unpacked.bytes == packed.bytes)
        #expect(try String(contentsOfFile: "\(landing)/.zeroclaw/config.toml", encoding: .utf8) == "key = 1\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(landing)/.zeroclaw/state/big.bin")).count == 300_000)
        #expect(manager.fileExists(atPath: "\(landing)/empty"))
        var isDirectory: ObjCBool = false
        #expect(manager.fileExists(atPath: "\(landing)/empty-dir", isDirectory: &isDirectory) && isDirectory.boolValue)
        for planted in ["etc", ".zeroclaw/passwd", "pipe", "hardlink"] {
            #expect(!manager.fileExists(atPath: "\(landing)/\(planted)"), "\(planted) was left out")
        }
        // Unpacking never writes into a directory that exists already.
        #expect(throws: (any Error).self) { try TenantArchive.unpack(archive, into: landing, owner: nil) }
    }

    @Test("a damaged archive is refused when unpacked: the gzip CRC and the tar checksums catch a flipped byte")
    func corruptedArchive() throws {
        let directory = try TemporaryDirectory("zc-archive-bad")
        defer { directory.remove() }
        let tree = directory.file("tenant")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try Data(repeating: 1, count: 10_000).write(to: URL(fileURLWithPath: "\(tree)/data"))
        let archive = directory.file("a.tar.gz")
        _ = try TenantArchive.pack(try DirectoryHandle.openConfigured(tree, name: "t"), into: archive)
        // A flipped byte in the middle: the gzip CRC or the tar checksums catch it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: archive))
        #expect(throws: (any Error).self) {
            try TenantArchive.unpack(archive, into: directory.file("landed"), owner: nil)
        }
    }

    @Test("a tree 3,000 directories wide is packed with no more directories open than it is deep")
    func wideTree() throws {
        let directory = try TemporaryDirectory("zc-archive-wide")
        defer { directory.remove() }
        let tree = directory.file("tenant")
        for index in 0..<3000 {
            try FileManager.default.createDirectory(
                atPath: "\(tree)/wide-\(index)/inner", withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: "\(tree)/a/b/c/d/e", withIntermediateDirectories: true)
        try Data("leaf".utf8).write(to: URL(fileURLWithPath: "\(tree)/a/b/c/d/e/leaf"))
        let (_, packed) = try TenantArchive.pack(
            try DirectoryHandle.openConfigured(tree, name: "t"), into: directory.file("wide.tar.gz"))
        #expect(packed.directories == 6005)
        #expect(packed.files == 1)
        // A walk that opened every directory as it found it would hold 3,000 descriptors at once.
        #expect(packed.mostOpenDirectories <= 7, "\(packed.mostOpenDirectories) open at once")
    }

    @Test("packing stops at its entry bound with a clear error")
    func tooManyEntries() throws {
        let directory = try TemporaryDirectory("zc-archive-many")
        defer { directory.remove() }
        let tree = directory.file("tenant")
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        for index in 0..<50 { FileManager.default.createFile(atPath: "\(tree)/f\(index)", contents: Data()) }
        #expect {
            try TenantArchive.pack(
                try DirectoryHandle.openConfigured(tree, name: "t"), into: directory.file("many.tar.gz"), maxEntries: 20
            )
        } throws: { error in
            (error as? TenantArchive.TooLarge)?.publicMessage
                == "the tenant's directory holds more than 20 entries; it cannot be moved"
        }
    }
}

@Suite("Tenant archives: the size a move takes")
struct TenantArchiveSizeTests {
    @Test("a sparse terabyte a tenant planted is refused before a byte of it is read; up to the cap, files go")
    func sparseFileRefused() throws {
        let directory = try TemporaryDirectory("zc-archive-size")
        defer { directory.remove() }
        let tree = directory.file("tenant")
        try FileManager.default.createDirectory(atPath: "\(tree)/state", withIntermediateDirectories: true)
        try Data(repeating: 1, count: 4096).write(to: URL(fileURLWithPath: "\(tree)/state/a"))
        try Data(repeating: 2, count: 4096).write(to: URL(fileURLWithPath: "\(tree)/state/b"))
        let archive = directory.file("tenant.tar.gz")
        // Exactly at the cap: both files go.
        let (_, packed) = try TenantArchive.pack(
            try DirectoryHandle.openConfigured(tree, name: "the tree"), into: archive, maxBytes: 8192)
        #expect(packed.files == 2 && packed.bytes == 8192)
        unlink(archive)
        // One byte past it: refused.
        #expect(throws: TenantArchive.TooManyBytes.self) {
            try TenantArchive.pack(
                try DirectoryHandle.openConfigured(tree, name: "the tree"), into: archive, maxBytes: 8191)
        }
        unlink(archive)

        // A file that claims a terabyte and occupies nothing.
        let sparse = open("\(tree)/state/sparse", O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        #expect(sparse >= 0 && ftruncate(sparse, 1 << 40) == 0)
        close(sparse)
        let refusal = #expect(throws: TenantArchive.TooManyBytes.self) {
            try TenantArchive.pack(
                try DirectoryHandle.openConfigured(tree, name: "the tree"), into: archive, maxBytes: 1 << 30)
        }
        #expect(refusal?.publicMessage.contains("cluster.move_max_bytes") == true)
        let left = (try? FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int) ?? 0
        #expect(left < 1 << 20, "nothing of it was written: \(left) bytes")
    }
}
