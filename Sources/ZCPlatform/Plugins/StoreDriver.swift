import ZCCore

/// A store the platform can be built on: its name (`store.driver`), how to open it, and what it is
/// besides a `Store` — the capabilities the platform asks of it instead of asking its name.
public struct StoreDriver: Sendable {
    public typealias Factory = @Sendable (PlatformConfiguration, Logger) async throws -> any Store

    /// The database is a file on this host (SQLite). Then a server holds a lock on it while it runs,
    /// `backup` snapshots it whole, `restore` swaps the file, and a missing file beside an earlier life's
    /// traces is refused rather than started afresh. A database server (PostgreSQL) has none of this.
    public struct LocalFile: Sendable {
        /// The database file the settings name.
        public let path: @Sendable (PlatformConfiguration.StoreSettings) -> String
        /// Takes the server lock on a database file; it is held while the value lives. Throws, naming the
        /// holder, when another process holds it.
        public let lock: @Sendable (String) throws -> any Sendable
        /// The pid of the process holding a database file's lock (0 when unknown); nil when none does.
        public let holder: @Sendable (String) -> Int32?

        public init(
            path: @escaping @Sendable (PlatformConfiguration.StoreSettings) -> String,
            lock: @escaping @Sendable (String) throws -> any Sendable,
            holder: @escaping @Sendable (String) -> Int32?
        ) {
            self.path = path
            self.lock = lock
            self.holder = holder
        }
    }

    public let name: String
    /// Its own keys in `[store]` (the SQLite file, the PostgreSQL URL).
    public let keys: [ConfigurationKey]
    public let localFile: LocalFile?
    /// Whether a locator (`migrate-store --from`, a backup's database file) names a store of this driver.
    public let claims: @Sendable (String) -> Bool
    /// The settings that open the store a locator names, the others as `base` has them.
    public let locate: @Sendable (String, PlatformConfiguration.StoreSettings) -> PlatformConfiguration.StoreSettings
    /// Where the data is, for messages (a URL without its credentials).
    public let describe: @Sendable (PlatformConfiguration.StoreSettings) -> String
    /// The client library this build links, as `zcplatform version` shows it (`sqlite 3.40.1`).
    public let library: String?
    public var make: Factory

    public init(
        name: String, keys: [ConfigurationKey] = [], localFile: LocalFile? = nil,
        claims: @escaping @Sendable (String) -> Bool,
        locate:
            @escaping @Sendable (String, PlatformConfiguration.StoreSettings) -> PlatformConfiguration.StoreSettings,
        describe: @escaping @Sendable (PlatformConfiguration.StoreSettings) -> String, library: String? = nil,
        make: @escaping Factory
    ) {
        self.library = library
        self.name = name
        self.keys = keys
        self.localFile = localFile
        self.claims = claims
        self.locate = locate
        self.describe = describe
        self.make = make
    }

    var configurationKeys: [ConfigurationKey] { keys.map { $0.placed(in: ["store"]) } }
}
