/// How the SQLite store opens its database.
public struct SQLiteOptions: Sendable, Hashable {
    /// The database file, e.g. `./data/zcplatform.db`.
    public var path: String
    /// Reader connections beside the one writer.
    public var readers: Int
    /// How long a connection waits for a lock another process holds (e.g. the `sqlite3` CLI).
    public var busyTimeoutMilliseconds: Int
    /// Page cache per connection.
    public var cacheKibibytes: Int

    public init(path: String, readers: Int = 4, busyTimeoutMilliseconds: Int = 5_000, cacheKibibytes: Int = 16_384) {
        self.path = path
        self.readers = readers
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.cacheKibibytes = cacheKibibytes
    }
}
