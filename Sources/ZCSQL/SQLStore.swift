import ZCCore

/// The `Store` both SQL drivers share: every query written once, run on the driver's connections in
/// the driver's dialect. A driver supplies its `SQLDatabase` and its migrations.
public final class SQLStore: Store {
    public let driver: String
    public let database: any SQLDatabase
    public let migrations: [SQLMigration]
    let logger: Logger

    /// Set while a task runs inside `withTransaction`, to refuse a nested one that would deadlock.
    @TaskLocal static var transactionOwner: ObjectIdentifier?

    public init(driver: String, database: any SQLDatabase, migrations: [SQLMigration], logger: Logger) {
        self.driver = driver
        self.database = database
        self.migrations = migrations.sorted { $0.version < $1.version }
        // Two migrations with one version would leave one of them silently unapplied.
        precondition(
            Set(migrations.map(\.version)).count == migrations.count, "\(driver): two migrations share a version")
        self.logger = logger
    }

    var dialect: SQLDialect { database.dialect }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    public func schemaVersion() async throws -> SchemaVersion {
        let dialect = self.dialect
        let applied = try await database.withConnection(write: true) { connection in
            try await Self.inMigrationTransaction(connection, dialect: dialect) {
                try await Self.appliedVersion(connection, dialect: dialect)
            }
        }
        return SchemaVersion(applied: applied, latest: latestVersion)
    }

    @discardableResult
    public func migrate() async throws -> [Migration] {
        let dialect = self.dialect
        let latest = latestVersion
        let pending = migrations
        let logger = self.logger
        return try await database.withConnection(write: true) { connection in
            let applied = try await Self.inMigrationTransaction(connection, dialect: dialect) {
                try await Self.appliedVersion(connection, dialect: dialect)
            }
            guard applied <= latest else {
                throw StoreError(
                    .schemaTooNew,
                    "the database is at schema version \(applied) but this zcplatform knows only up to \(latest);"
                        + " run a newer zcplatform")
            }
            var done: [Migration] = []
            for migration in pending where migration.version > applied {
                let didApply = try await Self.inMigrationTransaction(connection, dialect: dialect) {
                    // Another node may have applied it since the version was read.
                    guard try await Self.appliedVersion(connection, dialect: dialect) < migration.version else {
                        return false
                    }
                    try await connection.executeScript(migration.sql)
                    let record: SQLQuery = """
                        INSERT INTO schema_migrations (version, name, applied_at) \
                        VALUES (\(migration.version), \(migration.name), \(Timestamp.now()))
                        """
                    let (sql, binds) = record.render(dialect)
                    try await connection.execute(sql, binds)
                    return true
                }
                guard didApply else { continue }
                logger.info(
                    "store.migrated",
                    ["version": migration.version, "migration": migration.name, "driver": dialect.name])
                done.append(migration.migration)
            }
            return done
        }
    }

    /// One write transaction opened with the dialect's migration prelude; rolled back on any throw.
    static func inMigrationTransaction<R: Sendable>(
        _ connection: any SQLConnection, dialect: SQLDialect, _ body: () async throws -> R
    ) async throws -> R {
        try await transaction(on: connection, begin: dialect.beginWrite, prelude: dialect.migrationPrelude, body)
    }

    /// One transaction on `connection`: `begin`, the `prelude`, the body, COMMIT; ROLLBACK on any throw
    /// after `begin`. All of it runs on the connection's queue (`sessionExecutor`), so its statements
    /// do not cross threads: one crossing in, one out.
    static func transaction<R: Sendable>(
        on connection: any SQLConnection, begin: String, prelude: [String] = [], _ body: () async throws -> R
    ) async throws -> R {
        try await withTaskExecutorPreference(connection.sessionExecutor) {
            try await connection.execute(begin, [])
            do {
                for statement in prelude { try await connection.execute(statement, []) }
                let result = try await body()
                try await connection.execute("COMMIT", [])
                return result
            } catch {
                _ = try? await connection.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    /// Creates `schema_migrations` when missing and returns the highest applied version.
    static func appliedVersion(_ connection: any SQLConnection, dialect: SQLDialect) async throws -> Int {
        try await connection.execute(dialect.createMigrationsTable, [])
        let rows = try await connection.query("SELECT MAX(version) AS version FROM schema_migrations", [])
        return try rows.first?.optionalInt("version") ?? 0
    }

    public func read<R: Sendable>(_ body: @Sendable (any StoreReader) async throws -> R) async throws -> R {
        let dialect = self.dialect
        return try await database.withConnection(write: false) { connection in
            try await Self.transaction(on: connection, begin: dialect.beginRead) {
                try await body(SQLReadSession(connection: connection, dialect: dialect))
            }
        }
    }

    @discardableResult
    public func withTransaction<R: Sendable>(
        _ body: @Sendable (any StoreTransaction) async throws -> R
    ) async throws -> R {
        try await writeSession { try await body($0) }
    }

    /// One write transaction on the exclusive write connection.
    func writeSession<R: Sendable>(_ body: @Sendable (SQLWriteSession) async throws -> R) async throws -> R {
        let me = ObjectIdentifier(self)
        guard Self.transactionOwner != me else {
            throw StoreError(.nestedTransaction, "a transaction was opened inside another transaction")
        }
        let dialect = self.dialect
        return try await database.withConnection(write: true) { connection in
            try await Self.transaction(on: connection, begin: dialect.beginWrite) {
                try await Self.$transactionOwner.withValue(me) {
                    try await body(SQLWriteSession(connection: connection, dialect: dialect))
                }
            }
        }
    }

    public func close() async {
        await database.close()
    }
}
