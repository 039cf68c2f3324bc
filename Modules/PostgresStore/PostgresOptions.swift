/// How the PostgreSQL store connects.
public struct PostgresOptions: Sendable, Hashable {
    /// `postgres://user:password@host:port/database?sslmode=…` or any libpq connection string.
    /// Holds a password: never log it (`PostgresURL.redacting` shows it safely).
    public var url: String
    /// Connections this node keeps; every one can read and write.
    public var poolSize: Int
    /// `statement_timeout` on every connection; 0 for none.
    public var statementTimeoutMilliseconds: Int
    /// How long a connection attempt may take, unless the URL sets `connect_timeout`.
    public var connectTimeoutSeconds: Int
    /// Shown in `pg_stat_activity.application_name`, unless the URL sets one.
    public var applicationName: String

    public init(
        url: String, poolSize: Int = 10, statementTimeoutMilliseconds: Int = 30_000, connectTimeoutSeconds: Int = 10,
        applicationName: String = "zcplatform"
    ) {
        self.url = url
        self.poolSize = poolSize
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
    }
}
