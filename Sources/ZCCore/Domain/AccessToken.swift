/// A bearer credential: a session from a login, or a named API token for automation.
///
/// The token itself is shown once and never stored: the store keeps only its SHA-256 hash.
public struct AccessToken: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case session
        case api
    }

    public var id: Int64
    public var userID: Int64
    public var kind: Kind
    /// The operator's label for an API token; nil for sessions.
    public var name: String?
    public var tokenHash: [UInt8]
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?
    /// What the token may call, narrower than its user's roles; nil for everything its user may do.
    public var scope: Scope?

    /// A token's narrower reach.
    public enum Scope: String, Sendable, Hashable, CaseIterable, Codable {
        /// Only `GET /api/cluster/routes`: what a load balancer polls.
        case routes
    }

    public init(
        id: Int64, userID: Int64, kind: Kind, name: String?, tokenHash: [UInt8], createdAt: Timestamp,
        expiresAt: Timestamp, lastUsedAt: Timestamp? = nil, revokedAt: Timestamp? = nil, scope: Scope? = nil
    ) {
        self.scope = scope
        self.id = id
        self.userID = userID
        self.kind = kind
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Usable at `time`: not revoked and not yet expired.
    public func isActive(at time: Timestamp) -> Bool {
        revokedAt == nil && time < expiresAt
    }
}

/// A token to be stored; the store assigns the id.
public struct NewAccessToken: Sendable, Hashable {
    public var userID: Int64
    public var kind: AccessToken.Kind
    public var name: String?
    public var tokenHash: [UInt8]
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var scope: AccessToken.Scope?

    public init(
        userID: Int64, kind: AccessToken.Kind, name: String?, tokenHash: [UInt8], createdAt: Timestamp,
        expiresAt: Timestamp, scope: AccessToken.Scope? = nil
    ) {
        self.scope = scope
        self.userID = userID
        self.kind = kind
        self.name = name
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
