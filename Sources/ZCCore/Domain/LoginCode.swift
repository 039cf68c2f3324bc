/// A one-time login code sent to an email address: stored only as a salted hash, expiring, single use,
/// with the number of wrong guesses so far.
public struct LoginCode: Sendable, Hashable {
    public var id: Int64
    public var email: String
    public var codeHash: [UInt8]
    public var salt: [UInt8]
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var consumedAt: Timestamp?
    public var attempts: Int

    public init(
        id: Int64, email: String, codeHash: [UInt8], salt: [UInt8], createdAt: Timestamp, expiresAt: Timestamp,
        consumedAt: Timestamp? = nil, attempts: Int = 0
    ) {
        self.id = id
        self.email = email
        self.codeHash = codeHash
        self.salt = salt
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.consumedAt = consumedAt
        self.attempts = attempts
    }

    public func isUsable(at time: Timestamp) -> Bool { consumedAt == nil && time < expiresAt }
}

/// A login code to store; the store assigns the id.
public struct NewLoginCode: Sendable, Hashable {
    public var email: String
    public var codeHash: [UInt8]
    public var salt: [UInt8]
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(email: String, codeHash: [UInt8], salt: [UInt8], createdAt: Timestamp, expiresAt: Timestamp) {
        self.email = email
        self.codeHash = codeHash
        self.salt = salt
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Recent authentication attempts, by what the limits count.
public struct AuthAttemptCounts: Sendable, Hashable {
    public var email: Int
    public var client: Int
    public var all: Int

    public init(email: Int, client: Int, all: Int) {
        self.email = email
        self.client = client
        self.all = all
    }
}
