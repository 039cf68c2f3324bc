/// A named lease in the store (the cluster's `leader`): who holds it, since which change of holder
/// (`term`), and until when by the database's clock.
public struct Lease: Sendable, Hashable {
    public var name: String
    public var holder: String
    /// Grows by one each time the lease changes holder; a holder's acts can carry it.
    public var term: Int64
    public var acquiredAt: Timestamp
    public var renewedAt: Timestamp
    public var expiresAt: Timestamp

    public init(
        name: String, holder: String, term: Int64, acquiredAt: Timestamp, renewedAt: Timestamp, expiresAt: Timestamp
    ) {
        self.name = name
        self.holder = holder
        self.term = term
        self.acquiredAt = acquiredAt
        self.renewedAt = renewedAt
        self.expiresAt = expiresAt
    }
}
