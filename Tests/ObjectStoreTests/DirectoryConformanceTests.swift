import DirectoryObjects
import Foundation
import ObjectStoreConformance
import Testing
import ZCCore

/// The shared object store conformance suite, unchanged, on a directory of the local disk.
@Suite("Object store conformance: directory")
struct DirectoryConformanceTests {
    @Test(arguments: ObjectStoreConformance.cases)
    func conformance(_ behaviour: ObjectStoreConformanceCase) async throws {
        try await behaviour.run {
            let root = NSTemporaryDirectory() + "zc-objects-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
            return ObjectStoreUnderTest(store: try DirectoryObjectStore(root: root)) {
                try? FileManager.default.removeItem(atPath: root)
            }
        }
    }
}

@Suite("Directory object store: what else the directory holds")
struct DirectoryObjectStoreTests {
    @Test("links, FIFOs and a tree deeper than any key are no objects: not listed, not read, not followed")
    func strangeEntries() async throws {
        let root = NSTemporaryDirectory() + "zc-objects-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try DirectoryObjectStore(root: root)
        try await store.put(ObjectKey("kept/object"), bytes: [1])
        #expect(symlink("/etc", root + "/etc-link") == 0)
        #expect(symlink("/etc/passwd", root + "/kept/passwd-link") == 0)
        #expect(mkfifo(root + "/kept/fifo", 0o600) == 0)
        // 600 nested directories: deeper than a 1,024-byte key can reach.
        let deep = (0..<600).map { _ in "d" }.joined(separator: "/")
        try FileManager.default.createDirectory(atPath: root + "/" + deep, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/" + deep + "/bottom", contents: Data([2]))
        let listed = try await store.list(prefix: "")
        #expect(listed.map(\.key) == ["kept/object"])
        await #expect(throws: ObjectStoreError(.notFound, key: "kept/passwd-link", "no such object in file://\(root)"))
        {
            _ = try await store.bytes(of: ObjectKey("kept/passwd-link"), limit: 1 << 20)
        }
        #expect(try await store.head(ObjectKey("kept/passwd-link")) == nil)
        #expect(try await store.head(ObjectKey("kept/fifo")) == nil)
    }
}
