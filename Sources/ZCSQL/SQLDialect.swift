/// What differs between the SQL of two databases, as data: the stores' shared queries consult it
/// instead of branching on the driver.
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

    public init(
        name: String, placeholder: @escaping @Sendable (Int) -> String, beginWrite: String, beginRead: String,
        maxBinds: Int
    ) {
        self.name = name
        self.placeholder = placeholder
        self.beginWrite = beginWrite
        self.beginRead = beginRead
        self.maxBinds = maxBinds
    }

    public static let sqlite = SQLDialect(
        name: "sqlite", placeholder: { "?\($0)" }, beginWrite: "BEGIN IMMEDIATE", beginRead: "BEGIN DEFERRED",
        maxBinds: 32766)

    public static let postgres = SQLDialect(
        name: "postgres", placeholder: { "$\($0)" }, beginWrite: "BEGIN ISOLATION LEVEL READ COMMITTED",
        beginRead: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", maxBinds: 65535)
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
