/// A zcplatform process that runs tenants: one on a single host, several sharing a PostgreSQL store.
public struct Node: Sendable, Hashable, Codable {
    /// What the cluster thinks of a node.
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Heartbeating; takes new tenants.
        case active
        /// Heartbeating; takes no new tenants and gives its own away.
        case draining
        /// Its heartbeat expired more than `cluster.node_down_seconds` ago.
        case down
    }

    /// Stable across restarts (configured, or the host name).
    public var id: String
    /// Where other nodes reach this node's API.
    public var address: String
    public var version: String
    public var startedAt: Timestamp
    /// The database's clock at the node's last heartbeat, never the node's own.
    public var lastHeartbeat: Timestamp
    /// `lastHeartbeat` plus the heartbeat's time to live: past it (and a grace) the node is down.
    public var expiresAt: Timestamp
    public var state: State
    /// Memory the node offers its tenants, in bytes.
    public var memoryCapacity: Int64
    /// Memory its tenants' plans reserve, in bytes.
    public var memoryReserved: Int64
    /// A fingerprint of the vault key the node signs forwarded requests with (`Vault.fingerprint`): nodes
    /// whose fingerprints differ cannot check each other's forwards. Empty before a node recorded one.
    public var vaultKey: String
    /// What the node found when it called its own `/healthz` through `address`; nil until it has.
    public var addressCheck: AddressCheck?

    /// The outcome of a node's call to itself through its advertised address.
    public struct AddressCheck: Sendable, Hashable, Codable {
        public var checkedAt: Timestamp
        /// Why the call failed, or reached another process; nil when the node answered itself.
        public var error: String?

        public init(checkedAt: Timestamp, error: String?) {
            self.checkedAt = checkedAt
            self.error = error
        }
    }

    public init(
        id: String, address: String, version: String, startedAt: Timestamp, lastHeartbeat: Timestamp,
        expiresAt: Timestamp? = nil, state: State = .active, memoryCapacity: Int64 = 0, memoryReserved: Int64 = 0,
        vaultKey: String = "", addressCheck: AddressCheck? = nil
    ) {
        self.vaultKey = vaultKey
        self.addressCheck = addressCheck
        self.id = id
        self.address = address
        self.version = version
        self.startedAt = startedAt
        self.lastHeartbeat = lastHeartbeat
        self.expiresAt = expiresAt ?? lastHeartbeat
        self.state = state
        self.memoryCapacity = memoryCapacity
        self.memoryReserved = memoryReserved
    }
}
