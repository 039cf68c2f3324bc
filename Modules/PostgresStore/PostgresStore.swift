internal import CLibPQ
import ZCCore
import ZCSQL

/// The platform's store on PostgreSQL: several zcplatform nodes share one database.
///
/// The same queries as the SQLite store (`SQLStore`), on a bounded pool of libpq connections. Errors
/// come from SQLSTATE; a dropped connection fails the work in flight with a retryable
/// `connectionLost` and is reconnected when next lent.
public final class PostgresStore: SQLBackedStore, StoreMaintenance, StoreBackup, StoreRevisions {
    public let options: PostgresOptions
    private let database: PostgresDatabase
    private let store: SQLStore
    let logger: Logger

    /// Prepares the pool; connections are made when first lent. Call `migrate()` (or any method) to
    /// find out whether the server is reachable.
    public init(options: PostgresOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        database = PostgresDatabase(options: options)
        store = SQLStore(driver: "postgres", database: database, migrations: PostgresMigrations.all, logger: logger)
    }

    /// The libpq this binary is linked against, e.g. `15.18`.
    public static var libraryVersion: String {
        let version = Int(PQlibVersion())
        return "\(version / 10_000).\(version % 10_000)"
    }

    /// The shared SQL store underneath: every `Store` method runs there.
    public var sqlStore: SQLStore { store }

    // MARK: StoreRevisions

    /// The server's current snapshot (`pg_current_snapshot()`: the oldest transaction still running, the
    /// next transaction id, those in progress). It moves once any transaction that wrote anything, on any
    /// node, begins or ends, and never for reads: equal snapshots see equal data. One round trip.
    public func revision() async throws -> StoreRevision {
        let rows = try await database.withConnection(write: false) { connection in
            try await connection.query("SELECT pg_current_snapshot()::text AS revision", [])
        }
        guard let text = try rows.first?.string("revision") else {
            throw StoreError(.other, "pg_current_snapshot() returned no row")
        }
        return StoreRevision(text)
    }

    // MARK: StoreMaintenance

    /// `CHECKPOINT` (needs superuser or `pg_checkpoint`).
    public func checkpoint() async throws -> CheckpointResult {
        try await database.withConnection(write: true) { try await $0.executeScript("CHECKPOINT") }
        return CheckpointResult(logPages: 0, checkpointedPages: 0, complete: true)
    }

    /// `VACUUM (ANALYZE)` of the platform's tables.
    public func vacuum() async throws {
        try await database.withConnection(write: true) { connection in
            for table in SQLTables.all { try await connection.executeScript("VACUUM (ANALYZE) \(table)") }
        }
    }

    public func sizes() async throws -> [(name: String, bytes: Int64)] {
        let rows = try await database.withConnection(write: false) { connection in
            try await connection.query(
                "SELECT current_database() AS name, pg_database_size(current_database()) AS bytes", [])
        }
        return try rows.map { (try $0.string("name"), try $0.int64("bytes")) }
    }

    // MARK: StoreBackup

    /// A server database has no file to copy: backups of it are logical exports.
    public func snapshot(to path: String) async throws {
        throw StoreError(.other, "a PostgreSQL database is backed up as a logical export, not a file snapshot")
    }

    public func tableSizes() async throws -> [(name: String, bytes: Int64)] {
        var sizes: [(name: String, bytes: Int64)] = []
        for table in SQLTables.all + ["schema_migrations"] {
            let rows = try await database.withConnection(write: false) { connection in
                try await connection.query("SELECT pg_total_relation_size($1::regclass) AS bytes", [.text(table)])
            }
            sizes.append((table, try rows.first?.int64("bytes") ?? 0))
        }
        return sizes.sorted { $0.bytes > $1.bytes }
    }

    /// Reads every row of every table (the server verifies page checksums as it reads, when enabled).
    public func integrityCheck() async throws -> [String] {
        var problems: [String] = []
        for table in SQLTables.all {
            do {
                _ = try await database.withConnection(write: false) { connection in
                    try await connection.query("SELECT COUNT(*) AS n FROM (SELECT * FROM \(table)) AS rows", [])
                }
            } catch let error as StoreError where error.kind == .corrupt || error.kind == .other {
                problems.append("\(table): \(error.message)")
            }
        }
        return problems
    }

    /// The backend process ids of the pool's open connections (tests terminate them).
    package func backendPIDs() async -> [Int32] {
        var pids: [Int32] = []
        for connection in database.pool.connections {
            if let pid = try? await connection.backendPID() { pids.append(pid) }
        }
        return pids
    }
}
