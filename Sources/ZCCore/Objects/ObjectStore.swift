/// Where tenant snapshots and platform backups go off the node: an S3 bucket, a mounted directory.
///
/// Keys are relative paths checked by `ObjectKey` (the same rule for every driver). A `put` is atomic: a
/// reader sees the old object or the whole new one, never part of it. `delete` of a missing object is not
/// an error. Drivers say what failed with `ObjectStoreError`, never with a credential in it.
public protocol ObjectStore: Sendable {
    /// The driver's name as the configuration spells it (`s3`, `directory`).
    var driver: String { get }
    /// Where the objects are, for logs and errors (`s3://bucket/prefix`, `file:///path`): no credential.
    var location: String { get }

    /// Stores `body` under `key`, replacing what was there.
    func put(_ key: ObjectKey, _ body: ObjectBody) async throws
    /// The object's bytes as they arrive, or `notFound`.
    func get(_ key: ObjectKey) async throws -> ObjectStream
    /// Its size and modification time, or nil when there is none.
    func head(_ key: ObjectKey) async throws -> ObjectInfo?
    /// Every object whose key starts with `prefix` (a key prefix, not only a directory), sorted by key.
    func list(prefix: String) async throws -> [ObjectInfo]
    func delete(_ key: ObjectKey) async throws
    /// Releases connections when the platform stops.
    func shutdown() async
}

extension ObjectStore {
    /// The whole object, refused past `limit` bytes (`tooLarge`).
    public func bytes(of key: ObjectKey, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await piece in try await get(key) {
            bytes.append(contentsOf: piece)
            guard bytes.count <= limit else {
                throw ObjectStoreError(.tooLarge, key: key.path, "the object is larger than \(limit) bytes")
            }
        }
        return bytes
    }

    public func put(_ key: ObjectKey, bytes: [UInt8]) async throws {
        try await put(key, .bytes(bytes))
    }
}

/// One stored object.
public struct ObjectInfo: Sendable, Hashable {
    public let key: String
    public let size: Int
    /// Seconds since the epoch (the store's clock).
    public let modified: Int64

    public init(key: String, size: Int, modified: Int64) {
        self.key = key
        self.size = size
        self.modified = modified
    }
}
