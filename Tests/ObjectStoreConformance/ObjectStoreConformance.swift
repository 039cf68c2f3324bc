import Foundation
import ZCCore

/// A store to run the conformance cases on: empty when made, holding only what the cases put.
public struct ObjectStoreUnderTest: Sendable {
    public let store: any ObjectStore
    /// Removes what the subject made; called once, also after a failed case.
    public let dispose: @Sendable () async -> Void

    public init(store: any ObjectStore, dispose: @escaping @Sendable () async -> Void) {
        self.store = store
        self.dispose = dispose
    }
}

public typealias ObjectStoreFactory = @Sendable () async throws -> ObjectStoreUnderTest

/// One behaviour every `ObjectStore` must have. Drivers run every case unchanged, one test each:
/// `@Test(arguments: ObjectStoreConformance.cases) func conformance(_ c: ObjectStoreConformanceCase)`.
public struct ObjectStoreConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    let body: @Sendable (any ObjectStore) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (any ObjectStore) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    public func run(_ factory: ObjectStoreFactory) async throws {
        let subject = try await factory()
        do {
            try await body(subject.store)
        } catch {
            await subject.dispose()
            throw error
        }
        await subject.dispose()
    }
}

public struct ObjectStoreConformanceFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String, file: String = #fileID, line: Int = #line) {
        self.description = "\(description) (\(file):\(line))"
    }
}

func require(
    _ condition: @autoclosure () async throws -> Bool, _ message: @autoclosure () -> String,
    file: String = #fileID, line: Int = #line
) async throws {
    guard try await condition() else { throw ObjectStoreConformanceFailure(message(), file: file, line: line) }
}

/// Throws unless `body` throws an `ObjectStoreError` of `kind`.
func requireError(
    _ kind: ObjectStoreError.Kind, _ what: String, file: String = #fileID, line: Int = #line,
    _ body: () async throws -> Void
) async throws {
    do {
        try await body()
    } catch let error as ObjectStoreError {
        guard error.kind == kind else {
            throw ObjectStoreConformanceFailure(
                "\(what): \(error.kind) (\(error)), not \(kind)", file: file, line: line)
        }
        return
    }
    throw ObjectStoreConformanceFailure("\(what) succeeded; \(kind) was expected", file: file, line: line)
}

func key(_ path: String) throws -> ObjectKey { try ObjectKey(path) }

/// Bytes that differ from one call to the next (a seeded generator: the same in every run).
func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        if index % 8 == 0 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
        bytes[index] = UInt8(truncatingIfNeeded: state >> (UInt64(index % 8) * 8))
    }
    return bytes
}

public enum ObjectStoreConformance {
    public static let cases: [ObjectStoreConformanceCase] = [
        ObjectStoreConformanceCase("put, get and head: the bytes come back; a second put replaces the first") { store in
            let first = pattern(70_000, seed: 1)
            try await store.put(key("a/b/first"), bytes: first)
            try await require(try await store.bytes(of: key("a/b/first"), limit: 1 << 20) == first, "bytes differ")
            let info = try await store.head(key("a/b/first"))
            try await require(info?.size == first.count, "head says \(String(describing: info))")
            try await require(
                abs((info?.modified ?? 0) - Int64(Date().timeIntervalSince1970)) < 600, "modified is not now")
            let second = pattern(10, seed: 2)
            try await store.put(key("a/b/first"), bytes: second)
            try await require(try await store.bytes(of: key("a/b/first"), limit: 100) == second, "not replaced")
            try await store.put(key("empty"), bytes: [])
            try await require(try await store.bytes(of: key("empty"), limit: 10).isEmpty, "empty object")
            try await require(try await store.head(key("empty"))?.size == 0, "empty object's size")
        },
        ObjectStoreConformanceCase("a missing object: get is notFound, head nil, delete succeeds") { store in
            try await requireError(.notFound, "get of a missing object") {
                _ = try await store.bytes(of: key("missing/one"), limit: 10)
            }
            try await require(try await store.head(key("missing/one")) == nil, "head of a missing object")
            try await store.delete(key("missing/one"))
            try await store.put(key("here"), bytes: [1, 2, 3])
            try await store.delete(key("here"))
            try await store.delete(key("here"))
            try await require(try await store.head(key("here")) == nil, "deleted object still there")
            try await requireError(.notFound, "get of a deleted object") {
                _ = try await store.bytes(of: key("here"), limit: 10)
            }
        },
        ObjectStoreConformanceCase("list: by key prefix, not only by directory, sorted byte by byte, with sizes") {
            store in
            for (path, size) in [("t/ab/1", 1), ("t/ab/2", 2), ("t/abc", 3), ("t/b", 4), ("t/B", 5), ("u/x", 6)] {
                try await store.put(key(path), bytes: pattern(size, seed: UInt64(size)))
            }
            let all = try await store.list(prefix: "")
            try await require(
                all.map(\.key) == ["t/B", "t/ab/1", "t/ab/2", "t/abc", "t/b", "u/x"], "everything: \(all.map(\.key))")
            try await require(all.map(\.size) == [5, 1, 2, 3, 4, 6], "sizes: \(all.map(\.size))")
            let ab = try await store.list(prefix: "t/ab")
            try await require(ab.map(\.key) == ["t/ab/1", "t/ab/2", "t/abc"], "t/ab: \(ab.map(\.key))")
            let directory = try await store.list(prefix: "t/ab/")
            try await require(directory.map(\.key) == ["t/ab/1", "t/ab/2"], "t/ab/: \(directory.map(\.key))")
            try await require(try await store.list(prefix: "nothing/").isEmpty, "a prefix that holds nothing")
            try await requireError(.invalidKey, "list of ../") { _ = try await store.list(prefix: "../") }
        },
        ObjectStoreConformanceCase("list: more objects than one page of the store's answer, every one once") { store in
            let paths = (0..<130).map { String(format: "many/%04d", $0) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, path) in paths.enumerated() {
                    if index >= 16 { try await group.next() }
                    group.addTask { try await store.put(key(path), bytes: [UInt8(index % 256)]) }
                }
                try await group.waitForAll()
            }
            let listed = try await store.list(prefix: "many/")
            try await require(listed.map(\.key) == paths, "listed \(listed.count) of \(paths.count)")
        },
        ObjectStoreConformanceCase("a large object from a file: streamed up and down in pieces, byte for byte") {
            store in
            let size = 12 << 20 | 12_345
            let bytes = pattern(size, seed: 7)
            let path = NSTemporaryDirectory() + "zc-object-\(UUID().uuidString)"
            defer { unlink(path) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try await store.put(key("large/archive.tar.gz"), .file(path))
            try await require(
                try await store.head(key("large/archive.tar.gz"))?.size == size, "size of the large object")
            var received: [UInt8] = []
            var pieces = 0
            for try await piece in try await store.get(key("large/archive.tar.gz")) {
                received += piece
                pieces += 1
            }
            try await require(received.count == size, "received \(received.count) of \(size) bytes")
            try await require(received == bytes, "the large object's bytes differ")
            try await require(pieces > 1, "the large object came in one piece")
            try await requireError(.tooLarge, "a read past its limit") {
                _ = try await store.bytes(of: key("large/archive.tar.gz"), limit: 1 << 20)
            }
        },
        ObjectStoreConformanceCase("puts racing for one key: a reader sees one whole version, never a mix") { store in
            let versions = (0..<6).map { pattern(300_000, seed: UInt64(100 + $0)) }
            try await store.put(key("race"), bytes: versions[0])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for version in versions {
                    group.addTask { try await store.put(key("race"), bytes: version) }
                }
                group.addTask {
                    for _ in 0..<6 {
                        let seen = try await store.bytes(of: key("race"), limit: 1 << 20)
                        guard versions.contains(seen) else {
                            throw ObjectStoreConformanceFailure("a reader saw \(seen.count) bytes of no version")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let last = try await store.bytes(of: key("race"), limit: 1 << 20)
            try await require(versions.contains(last), "the final object is no version")
        },
        ObjectStoreConformanceCase("keys: the same rule for every store; a refused key touches nothing") { store in
            for bad in [
                "", "/abs", "a//b", "a/./b", "../up", "a/..", "dir/", "sp ace", "new\nline", "q?x", "h#x",
                String(repeating: "k", count: 256),
                Array(repeating: String(repeating: "k", count: 200), count: 6).joined(separator: "/"),
            ] {
                do {
                    _ = try ObjectKey(bad)
                    throw ObjectStoreConformanceFailure("the key \(bad.debugDescription) was accepted")
                } catch let error as ObjectStoreError where error.kind == .invalidKey {}
            }
            for good in [
                "a", "tenants/t-1/objects/ab/abcdef", "x=1,y+2@z", "A.B_C-D", String(repeating: "k", count: 255),
                Array(repeating: String(repeating: "k", count: 100), count: 9).joined(separator: "/"),
            ] {
                try await store.put(key(good), bytes: Array(good.utf8.prefix(8)))
                try await require(
                    try await store.bytes(of: key(good), limit: 100) == Array(good.utf8.prefix(8)),
                    "round trip of \(good)")
            }
            try await require(try await store.list(prefix: "").count == 6, "only the good keys are stored")
        },
    ]
}
