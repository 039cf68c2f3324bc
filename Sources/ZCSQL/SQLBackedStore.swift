import ZCCore

/// A store built on `SQLStore`, whose tables can be copied, exported and verified row by row. The
/// `Store` methods forward to the shared implementation; a driver adds its connections and maintenance.
public protocol SQLBackedStore: Store {
    var sqlStore: SQLStore { get }
}

extension SQLBackedStore {
    public var driver: String { sqlStore.driver }

    @discardableResult
    public func migrate() async throws -> [Migration] { try await sqlStore.migrate() }

    public func schemaVersion() async throws -> SchemaVersion { try await sqlStore.schemaVersion() }

    public func read<R: Sendable>(_ body: @Sendable (any StoreReader) async throws -> R) async throws -> R {
        try await sqlStore.read(body)
    }

    @discardableResult
    public func withTransaction<R: Sendable>(
        _ body: @Sendable (any StoreTransaction) async throws -> R
    ) async throws -> R {
        try await sqlStore.withTransaction(body)
    }

    public func prune(_ table: RetentionTable, olderThan cutoff: Timestamp, batchSize: Int) async throws -> Int {
        try await sqlStore.prune(table, olderThan: cutoff, batchSize: batchSize)
    }

    public func close() async { await sqlStore.close() }

    /// The number of rows of every table the database holds, whatever its schema version (for backups).
    public func tableRowCounts() async throws -> [String: Int] {
        let store = sqlStore
        return try await store.database.withConnection(write: false) { connection in
            let names = try await connection.query(store.dialect.listTables, []).map { try $0.string("name") }
            var counts: [String: Int] = [:]
            for name in names {
                let quoted =
                    "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"")
                    + "\""
                counts[name] =
                    try await connection.query("SELECT COUNT(*) AS n FROM \(quoted)", []).first?.int("n") ?? 0
            }
            return counts
        }
    }
}
