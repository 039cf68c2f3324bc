/// What kind of failure an operation met, in the domain's words. The core and its drivers and plugins
/// say only this; the API maps each kind to an HTTP status in one place (`FailureResponses`), and the
/// CLI to a line on stderr.
public enum FailureKind: String, Sendable, Hashable, CaseIterable {
    /// Input that breaks a rule: a bad slug, an unknown plan, an out-of-range value.
    case invalid
    /// What was asked for does not exist, or the caller may not know that it does.
    case notFound
    /// The current state forbids it: a duplicate, a transition not allowed, a limit reached.
    case conflict
    /// The caller is known but may not do this.
    case forbidden
    /// The caller could not be identified: no credential, or one that is wrong, expired or revoked.
    case unauthenticated
    /// Too many attempts; a later one may succeed (`retryAfterSeconds`).
    case rateLimited
    /// Something the platform depends on is down or full; the same request may succeed later.
    case unavailable
    /// Something the platform depends on did not answer in time.
    case timedOut
    /// The request reached a node that does not (or no longer) hold what it names: another node of the
    /// cluster does, and the sender should ask again.
    case misdirected
    /// Something the platform depends on answered with a failure.
    case dependencyFailed
    /// The platform's own fault, with a message safe to show.
    case internalFailure
}

/// An error that says what went wrong in words safe to show a client: never secrets, bound values or
/// host paths. Anything thrown that does not conform is answered as an internal error whose detail goes
/// only to the log.
public protocol PublicError: Error {
    var failureKind: FailureKind { get }
    /// A message safe to show a client.
    var publicMessage: String { get }
    /// For `rateLimited` and `unavailable`: how long to wait before trying again (`Retry-After`).
    var retryAfterSeconds: Int? { get }
}

extension PublicError {
    public var retryAfterSeconds: Int? { nil }
}

/// A failure that needs no type of its own: a kind and a message.
public struct Failure: PublicError, Sendable, Hashable, CustomStringConvertible {
    public let kind: FailureKind
    public let message: String
    public let retryAfterSeconds: Int?

    public init(_ kind: FailureKind, _ message: String, retryAfterSeconds: Int? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var failureKind: FailureKind { kind }
    public var publicMessage: String { message }
    public var description: String { "\(kind.rawValue): \(message)" }

    public static func notFound(_ message: String) -> Failure { Failure(.notFound, message) }
    public static func conflict(_ message: String) -> Failure { Failure(.conflict, message) }
    public static func forbidden(_ message: String) -> Failure { Failure(.forbidden, message) }
    public static func unauthenticated(_ message: String) -> Failure { Failure(.unauthenticated, message) }
    public static func unavailable(_ message: String) -> Failure { Failure(.unavailable, message) }
    public static func rateLimited(_ message: String, retryAfterSeconds: Int) -> Failure {
        Failure(.rateLimited, message, retryAfterSeconds: retryAfterSeconds)
    }
}
