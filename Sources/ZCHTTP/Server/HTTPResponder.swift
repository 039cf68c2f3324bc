/// What answers requests: a router, or anything else. It never throws: failures are responses.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest, info: HTTPRequestInfo) async -> HTTPResponse
}

/// Facts about a request beyond its bytes.
public struct HTTPRequestInfo: Sendable {
    /// Sent back as `X-Request-Id` and written in every log line about the request.
    public var requestID: String
    public var remoteAddress: String

    public init(requestID: String, remoteAddress: String) {
        self.requestID = requestID
        self.remoteAddress = remoteAddress
    }
}

/// What the server tells about its connections and the requests it answered (metrics, access log).
public protocol HTTPServerObserver: Sendable {
    func connectionOpened()
    func connectionClosed()
    /// A request refused before it reached the responder (malformed, too large, too slow).
    func requestRefused(status: HTTPStatus, reason: String, remoteAddress: String)
    /// A connection closed at once: `maxConnections` were open, or its client held its own cap.
    func connectionRefused(_ reason: ConnectionRefusal)
    /// `accept` failed (out of descriptors or memory): the listener waits `retryIn` before trying again.
    /// `consecutive` counts the failures since the last accepted connection.
    func acceptFailed(_ error: SocketError, retryIn: Duration, consecutive: Int)
    /// `accept` works again after `failures` failed calls.
    func acceptRecovered(after failures: Int)
}

extension HTTPServerObserver {
    public func acceptFailed(_ error: SocketError, retryIn: Duration, consecutive: Int) {}
    public func acceptRecovered(after failures: Int) {}
}

/// Why a connection was closed as soon as it was accepted.
public enum ConnectionRefusal: String, Sendable, Hashable {
    /// `maxConnections` connections were open.
    case serverFull = "server_full"
    /// The client's address held `maxConnectionsPerClient` connections.
    case clientCap = "client_cap"
}

/// Observes nothing.
public struct NoHTTPServerObserver: HTTPServerObserver {
    public init() {}
    public func connectionOpened() {}
    public func connectionClosed() {}
    public func requestRefused(status: HTTPStatus, reason: String, remoteAddress: String) {}
    public func connectionRefused(_ reason: ConnectionRefusal) {}
}
