import Foundation
import Synchronization
import ZCCore
import ZCHTTP

/// The Docker Engine API over its unix socket: requests under the negotiated version prefix, with
/// transport failures and error answers turned into `ContainerRuntimeError`.
final class DockerEngine: Sendable {
    /// The API version this driver is written against; older daemons are refused.
    static let apiVersion = "1.41"

    let socketPath: String
    let client: HTTPClient
    private let negotiated = Mutex<Bool>(false)

    init(socketPath: String, requestTimeout: Duration) throws {
        self.socketPath = socketPath
        client = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: .seconds(5), readTimeout: requestTimeout, maxResponseBytes: 64 << 20,
                maxIdlePerEndpoint: 16))
    }

    func shutdown() async { await client.shutdown() }

    var endpoint: HTTPEndpoint { .unix(path: socketPath) }

    /// Checks that the daemon answers and speaks API 1.41 or newer (`/_ping` carries `Api-Version`).
    func negotiate() async throws {
        let response = try await transport { try await client.execute(.get, endpoint, "/_ping", timeout: .seconds(5)) }
        guard response.status == .ok else {
            throw ContainerRuntimeError.unavailable("the Docker daemon answered /_ping with \(response.status.code)")
        }
        if let version = response.headers.values("Api-Version").first, Self.compare(version, Self.apiVersion) < 0 {
            throw ContainerRuntimeError.unavailable(
                "the Docker daemon speaks API \(version); zcplatform needs \(Self.apiVersion) or newer")
        }
        negotiated.withLock { $0 = true }
    }

    /// Sends one request and returns the whole answer. `body` is sent as JSON.
    func request(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        timeout: Duration? = nil
    ) async throws -> HTTPClientResponse {
        try await ensureNegotiated()
        let (target, headers, bytes) = try Self.encode(path, query: query, body: body)
        return try await transport {
            try await client.execute(method, endpoint, target, headers: headers, body: bytes, timeout: timeout)
        }
    }

    /// Sends one request and returns the head; the body is read as it is iterated.
    func stream(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
        timeout: Duration? = nil
    ) async throws -> HTTPClientStream {
        try await ensureNegotiated()
        let (target, headers, bytes) = try Self.encode(path, query: query, body: body)
        return try await transport {
            try await client.stream(method, endpoint, target, headers: headers, body: bytes, timeout: timeout)
        }
    }

    /// Reads a body of a streamed answer, mapping a daemon that goes away into `unavailable`.
    func transport<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as HTTPClientError {
            switch error {
            case .connectFailed(_, let reason):
                negotiated.withLock { $0 = false }
                throw ContainerRuntimeError.unavailable("cannot reach the Docker daemon at \(socketPath): \(reason)")
            case .connectionClosed:
                negotiated.withLock { $0 = false }
                throw ContainerRuntimeError.unavailable("the Docker daemon closed the connection")
            case .timedOut(let what):
                throw ContainerRuntimeError.timedOut("waiting for the Docker daemon (\(what))")
            case .responseTooLarge(let limit):
                throw ContainerRuntimeError.failed("the Docker daemon's answer is larger than \(limit) bytes")
            case .malformedResponse(let why):
                throw ContainerRuntimeError.failed("the Docker daemon's answer is malformed: \(why)")
            case .shutDown:
                throw ContainerRuntimeError.unavailable("the Docker runtime is shutting down")
            }
        }
    }

    /// Docker's error answers are `{"message": "..."}`.
    static func message(of response: HTTPClientResponse) -> String {
        if case .object(let fields)? = JSONValue(jsonText: response.text),
            case .string(let message)? = fields["message"]
        {
            return message
        }
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "status \(response.status.code)" : String(text.prefix(500))
    }

    /// The error an unexpected answer stands for, about `container` where there is one.
    static func error(_ response: HTTPClientResponse, container: ContainerID? = nil) -> ContainerRuntimeError {
        let message = message(of: response)
        switch response.status.code {
        case 404 where container != nil: return .notFound(container!)
        case 409: return .conflict(message)
        default: return .failed("\(message) (status \(response.status.code))")
        }
    }

    private func ensureNegotiated() async throws {
        if !negotiated.withLock({ $0 }) { try await negotiate() }
    }

    private static func encode(
        _ path: String, query: [(String, String)], body: JSONValue?
    ) throws -> (String, HTTPHeaders, [UInt8]) {
        var target = "/v\(apiVersion)\(path)"
        if !query.isEmpty {
            target += "?" + query.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
        }
        var headers: HTTPHeaders = [:]
        var bytes: [UInt8] = []
        if let body {
            headers.add("Content-Type", "application/json")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            bytes = Array(try encoder.encode(body))
        }
        return (target, headers, bytes)
    }

    /// RFC 3986 percent-encoding of a query component: only unreserved characters stay as they are.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// Compares dotted versions numerically: "1.9" < "1.41".
    static func compare(_ lhs: String, _ rhs: String) -> Int {
        let left = lhs.split(separator: ".").map { Int($0) ?? 0 }
        let right = rhs.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            if a != b { return a < b ? -1 : 1 }
        }
        return 0
    }
}
