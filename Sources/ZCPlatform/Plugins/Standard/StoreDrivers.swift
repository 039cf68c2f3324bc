import PostgresStore
import SQLiteStore
import ZCCore

/// The stores of this build, as registrations.
enum StoreDrivers {
    static let sqlite = StoreDriver(
        name: "sqlite",
        keys: [
            ConfigurationKey("path", .string, help: "SQLite database file", default: "./data/zcplatform.db"),
            ConfigurationKey(
                "readers", .integer(1...64),
                help: "SQLite reader connections (each HTTP event loop also opens one of its own for short reads)",
                default: 4),
            ConfigurationKey(
                "busy_timeout_ms", .integer(0...600_000), help: "how long a write waits for a lock held elsewhere",
                default: 5_000),
        ],
        localFile: StoreDriver.LocalFile(
            path: { $0.path },
            lock: { database in
                do {
                    return try ServerLock.acquire(forDatabase: database)
                } catch let error as ServerLockError {
                    throw BackupError(error.description)
                }
            },
            holder: { ServerLock.holder(ofDatabase: $0) }),
        // A locator without a scheme is a file's path.
        claims: { !$0.contains("://") },
        locate: { path, base in
            var settings = base
            settings.path = path
            settings.readers = 1
            return settings
        },
        describe: { $0.path }, library: "sqlite \(SQLiteStore.libraryVersion)"
    ) { configuration, logger in
        try SQLiteStore(
            options: SQLiteOptions(
                path: configuration.store.path, readers: configuration.store.readers,
                busyTimeoutMilliseconds: configuration.store.busyTimeoutMilliseconds),
            logger: logger.labeled("store"))
    }

    static let postgres = StoreDriver(
        name: "postgres",
        keys: [
            ConfigurationKey(
                "url", .string, secret: true, help: "PostgreSQL URL postgres://user:pass@host:port/db", default: nil),
            ConfigurationKey("pool_size", .integer(1...256), help: "PostgreSQL connections per node", default: 10),
            ConfigurationKey(
                "statement_timeout_ms", .integer(0...3_600_000), help: "PostgreSQL statement timeout (0 = none)",
                default: 30_000),
        ],
        claims: { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") },
        locate: { url, base in
            var settings = base
            settings.url = url
            settings.poolSize = 2
            return settings
        },
        describe: { StoreMigration.describe($0.url ?? "") }, library: "libpq \(PostgresStore.libraryVersion)"
    ) { configuration, logger in
        guard let url = configuration.store.url else {
            throw ConfigurationError("store.url is required when store.driver is \"postgres\"")
        }
        return PostgresStore(
            options: PostgresOptions(
                url: url, poolSize: configuration.store.poolSize,
                statementTimeoutMilliseconds: configuration.store.statementTimeoutMilliseconds,
                applicationName: "zcplatform-\(configuration.cluster.nodeID)"),
            logger: logger.labeled("store"))
    }
}
