import ZCCore

/// Everything a handler knows about a request besides its bytes: its id, the route that matched,
/// path parameters, a logger that tags every line with the request id, and values middleware attached
/// (the authenticated user, say).
public struct RequestContext: Sendable {
    public let requestID: String
    public let remoteAddress: String
    /// The matched pattern, e.g. `/api/tenants/{id}`; nil when nothing matched.
    public internal(set) var route: String?
    public internal(set) var parameters: [String: String] = [:]
    /// The matched route's handlers by method, for the router's innermost step.
    var handlers: [HTTPMethod: RouteHandler] = [:]
    private let baseLogger: Logger
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init(requestID: String, remoteAddress: String, logger: Logger) {
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.baseLogger = logger
    }

    /// Set when a middleware tagged the logger further (`user=`).
    private var tagged: Logger?

    /// The logger with `request_id` on every line; made when asked, since most requests log nothing
    /// but their access line.
    public var logger: Logger {
        get { tagged ?? baseLogger.with("request_id", requestID) }
        set { tagged = newValue }
    }

    /// A path parameter, e.g. `id` of `/api/tenants/{id}`, percent-decoded.
    public func parameter(_ name: String) throws -> String {
        guard let value = parameters[name] else { throw HTTPError(.badRequest, "missing path parameter '\(name)'") }
        return value
    }

    /// A value a middleware attached, by its key type.
    public subscript<Key: RequestContextKey>(key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}

/// A typed slot in a `RequestContext`.
public protocol RequestContextKey {
    associatedtype Value: Sendable
}
