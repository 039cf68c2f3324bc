import ZCCore

/// One versioned schema change for one dialect: SQL statements applied in the transaction that records
/// the version in `schema_migrations`.
public struct SQLMigration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    public var migration: Migration { Migration(version: version, name: name) }
}
