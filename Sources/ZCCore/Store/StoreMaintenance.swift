/// Maintenance a store may offer the `zcplatform db` commands.
public protocol StoreMaintenance: Sendable {
    /// Moves the write-ahead log into the database and truncates it.
    func checkpoint() async throws -> CheckpointResult
    /// Rebuilds the database to reclaim the space of deleted rows.
    func vacuum() async throws
    /// The files or relations that hold the data, with their sizes in bytes.
    func sizes() async throws -> [(name: String, bytes: Int64)]
    /// Bytes used by each table and its indexes, largest first.
    func tableSizes() async throws -> [(name: String, bytes: Int64)]
    /// Problems found by a full integrity check; empty when the database is sound.
    func integrityCheck() async throws -> [String]
}

public struct CheckpointResult: Sendable, Hashable {
    /// Pages in the log before the checkpoint.
    public var logPages: Int
    /// Pages moved into the database.
    public var checkpointedPages: Int
    /// False when readers kept part of the log from being checkpointed.
    public var complete: Bool

    public init(logPages: Int, checkpointedPages: Int, complete: Bool) {
        self.logPages = logPages
        self.checkpointedPages = checkpointedPages
        self.complete = complete
    }
}
