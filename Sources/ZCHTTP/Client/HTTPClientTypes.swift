import Foundation

/// How the client connects and what it accepts.
public struct HTTPClientConfiguration: Sendable {
    public var connectTimeout: Duration
    /// Time allowed between bytes of a response (and for sending the request).
    public var readTimeout: Duration
    /// A buffered response larger than this fails with `responseTooLarge`.
    public var maxResponseBytes: Int
    /// Idle keep-alive connections kept per endpoint.
    public var maxIdlePerEndpoint: Int

    public init(
        connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30), maxResponseBytes: Int = 16 << 20,
        maxIdlePerEndpoint: Int = 8
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxResponseBytes = maxResponseBytes
        self.maxIdlePerEndpoint = maxIdlePerEndpoint
    }
}

/// A complete response.
public struct HTTPClientResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(body))
    }
}

/// Why a request failed.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectFailed(endpoint: String, reason: String)
    case timedOut(String)
    case responseTooLarge(limit: Int)
    case malformedResponse(String)
    case connectionClosed
    case shutDown

    public var description: String {
        switch self {
        case .connectFailed(let endpoint, let reason): "cannot connect to \(endpoint): \(reason)"
        case .timedOut(let what): "timed out \(what)"
        case .responseTooLarge(let limit): "the response is larger than \(limit) bytes"
        case .malformedResponse(let reason): "malformed response: \(reason)"
        case .connectionClosed: "the server closed the connection"
        case .shutDown: "the client was shut down"
        }
    }
}
