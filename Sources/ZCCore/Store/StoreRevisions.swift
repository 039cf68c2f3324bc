/// A store that tells cheaply whether anything was written, for caches of views read from it (the fleet
/// table): a cached view is current while the revision it was read at is.
public protocol StoreRevisions: Sendable {
    /// A value that differs once any write transaction has committed since it was read: by this process,
    /// another one on the same database (a CLI command), or another node. Read it *before* the data a
    /// cache keeps, so the data is at least as new as the revision kept with it.
    func revision() async throws -> StoreRevision
}

/// What `StoreRevisions.revision()` answers: only equality means anything.
public struct StoreRevision: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}
