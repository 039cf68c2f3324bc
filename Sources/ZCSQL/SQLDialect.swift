/// What differs between the SQL of two databases, as data: the stores' shared queries consult it
/// instead of branching on the driver. Each driver declares its own (`SQLDialect.sqlite` in SQLiteStore,
/// `.postgres` in PostgresStore).
public struct SQLDialect: Sendable {
    public let name: String
    /// The placeholder for the n-th bound value (1-based): `?1` or `$1`.
    public let placeholder: @Sendable (Int) -> String
    /// Opens a write transaction that takes the write lock at once (SQLite's `BEGIN IMMEDIATE`).
    public let beginWrite: String
    /// Opens a read transaction that sees one consistent snapshot.
    public let beginRead: String
    /// The largest number of bound values one statement may carry.
    public let maxBinds: Int
    /// Statements that open every migration transaction: on PostgreSQL, no statement timeout and a
    /// transaction-scoped lock, so two nodes starting at once never migrate the same database together.
    /// Empty where the write transaction already excludes other writers (SQLite's `BEGIN IMMEDIATE`).
    public let migrationPrelude: [String]
    /// After rows were copied in with their ids, moves `table`'s `column` counter past the highest id.
    /// Nil where the database always continues after the highest id (SQLite's rowid).
    public let resetIdentity: (@Sendable (_ table: String, _ column: String) -> String)?
    /// Rows per statement when writing a batch (a collection cycle): 1 reuses one prepared statement
    /// per row (fastest in-process, SQLite); more sends multi-row statements (one round trip to a server).
    public let rowsPerInsert: Int
    /// The scalar functions that return the least and the greatest of their arguments (`min`/`max` in
    /// SQLite, `LEAST`/`GREATEST` in PostgreSQL, where `min`/`max` are only aggregates).
    public let least: String
    public let greatest: String
    /// Lists the database's own tables in a column `name` (not the engine's catalog).
    public let listTables: String
    /// What ends a `SELECT` that must hold its rows until the transaction ends (` FOR UPDATE`); empty
    /// where a write transaction already excludes every other writer (SQLite's `BEGIN IMMEDIATE`).
    public let forUpdate: String
    /// The database's clock as whole Unix seconds: what heartbeats and leases are stamped with, so that
    /// nodes whose clocks disagree still agree on who is alive.
    public let currentSeconds: String
    /// The statement that signals `payload` on `channel` to the listening nodes at commit; nil where no
    /// other node shares the database.
    public let notify: (@Sendable (_ channel: String, _ payload: String) -> SQLQuery)?

    public init(
        name: String, placeholder: @escaping @Sendable (Int) -> String, beginWrite: String, beginRead: String,
        maxBinds: Int, rowsPerInsert: Int = 1, migrationPrelude: [String] = [],
        resetIdentity: (@Sendable (_ table: String, _ column: String) -> String)? = nil,
        least: String, greatest: String, listTables: String, forUpdate: String = "", currentSeconds: String,
        notify: (@Sendable (_ channel: String, _ payload: String) -> SQLQuery)? = nil
    ) {
        self.notify = notify
        self.currentSeconds = currentSeconds
        self.forUpdate = forUpdate
        self.listTables = listTables
        self.least = least
        self.greatest = greatest
        self.name = name
        self.placeholder = placeholder
        self.beginWrite = beginWrite
        self.beginRead = beginRead
        self.maxBinds = maxBinds
        self.migrationPrelude = migrationPrelude
        self.rowsPerInsert = rowsPerInsert
        self.resetIdentity = resetIdentity
    }
}

extension SQLDialect {
    /// The table that records applied migrations, the same in every dialect.
    public var createMigrationsTable: String {
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )
        """
    }
}
