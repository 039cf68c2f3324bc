/// A failure of the platform's database, mapped from the driver's native codes.
///
/// Messages name tables, columns and constraints, never bound values, so they are safe to log.
public struct StoreError: Error, PublicError, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The row asked for does not exist.
        case notFound
        /// A unique key already holds the value (a tenant id, a user's email).
        case uniqueViolation
        /// A referenced row is missing, or a row still referenced was deleted.
        case foreignKeyViolation
        /// A NOT NULL or CHECK constraint refused the row.
        case constraintViolation
        /// Another writer held the database past the timeout; retrying may succeed.
        case busy
        /// Concurrent transactions conflicted; retrying may succeed.
        case serializationFailure
        /// The connection to the database server broke; retrying may succeed once it is back.
        case connectionLost
        /// A statement ran past its time limit.
        case timeout
        /// The file is not a database at all.
        case notADatabase
        /// The database file is damaged.
        case corrupt
        /// The database or its directory cannot be written.
        case readOnly
        /// The disk or the quota is full.
        case diskFull
        /// The database file or its directory could not be opened or created.
        case cannotOpen
        /// The database was written by a newer zcplatform than this binary.
        case schemaTooNew
        /// A transaction was opened inside another; that would deadlock.
        case nestedTransaction
        /// The store was closed.
        case closed
        /// The tenant changed node since it was read (its placement epoch moved on): the write was not made.
        case placementChanged
        /// Anything else the driver reported.
        case other
    }

    public let kind: Kind
    public let message: String
    /// The constraint or column concerned, e.g. `tenants.id`, when the driver names it.
    public let constraint: String?

    public init(_ kind: Kind, _ message: String, constraint: String? = nil) {
        self.kind = kind
        self.message = message
        self.constraint = constraint
    }

    /// Whether the same work may succeed if tried again.
    public var isRetryable: Bool {
        switch kind {
        case .busy, .serializationFailure, .connectionLost, .timeout: true
        default: false
        }
    }

    public var failureKind: FailureKind {
        switch kind {
        case .notFound: .notFound
        case .uniqueViolation, .foreignKeyViolation, .placementChanged: .conflict
        case .constraintViolation: .invalid
        case .busy, .serializationFailure, .connectionLost, .timeout, .closed: .unavailable
        default: .internalFailure
        }
    }

    public var publicMessage: String {
        switch kind {
        case .notFound, .uniqueViolation, .foreignKeyViolation, .constraintViolation, .placementChanged: message
        case .busy, .serializationFailure, .connectionLost, .timeout, .closed:
            "the database is temporarily unavailable; retry"
        default: "internal error"
        }
    }

    public var description: String {
        if let constraint { return "\(message) (\(constraint))" }
        return message
    }
}
