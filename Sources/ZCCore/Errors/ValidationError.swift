/// Input that breaks a rule of the domain: a bad slug, an unknown plan, an out-of-range value.
public struct ValidationError: PublicError, Sendable, Equatable, CustomStringConvertible {
    /// The field or parameter at fault, in the operator's words (`id`, `email`, `plan`).
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var failureKind: FailureKind { .invalid }
    public var publicMessage: String { "\(field): \(message)" }
    public var description: String { publicMessage }
}
