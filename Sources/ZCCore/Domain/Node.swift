/// A zcplatform process that runs tenants: one on a single host, several sharing a PostgreSQL store.
public struct Node: Sendable, Hashable, Codable {
    /// Stable across restarts (configured, or the host name).
    public var id: String
    /// Where other nodes reach this node's API.
    public var address: String
    public var version: String
    public var startedAt: Timestamp
    public var lastSeenAt: Timestamp

    public init(id: String, address: String, version: String, startedAt: Timestamp, lastSeenAt: Timestamp) {
        self.id = id
        self.address = address
        self.version = version
        self.startedAt = startedAt
        self.lastSeenAt = lastSeenAt
    }
}
