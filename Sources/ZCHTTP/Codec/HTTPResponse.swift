/// A response: status, fields, and a body that is bytes or written piece by piece.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: HTTPResponseBody

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: HTTPResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: .bytes(bytes))
    }
}

/// A response body. `.stream` is written as it is produced (chunked), for following logs or
/// Server-Sent Events; the writer's `write` waits while the client is slow, so a producer never runs
/// ahead of the network.
public enum HTTPResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    case stream(@Sendable (any HTTPBodyWriter) async throws -> Void)
}

/// Where a streamed body goes, piece by piece.
public protocol HTTPBodyWriter: Sendable {
    func write(_ bytes: [UInt8]) async throws
}
