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
    /// A connection refused because `maxConnections` were open.
    func connectionRefused()
}

/// Observes nothing.
public struct NoHTTPServerObserver: HTTPServerObserver {
    public init() {}
    public func connectionOpened() {}
    public func connectionClosed() {}
    public func requestRefused(status: HTTPStatus, reason: String, remoteAddress: String) {}
    public func connectionRefused() {}
}
