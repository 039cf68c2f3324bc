import Foundation
import ZCCore
import ZCCrypto
import ZCHTTP

/// Calls from this node to another over HTTP, marked and signed as forwarded requests are
/// (`ForwardingSignature`): what a move sends and fetches. Nodes are found by their advertise address.
final class NodeClient: Sendable {
    let nodeID: String
    let store: any Store
    let signature: ForwardingSignature
    let client: LazyHTTPClient

    init(nodeID: String, store: any Store, signature: ForwardingSignature) {
        self.nodeID = nodeID
        self.store = store
        self.signature = signature
        client = LazyHTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: .seconds(3), readTimeout: .seconds(60), maxResponseBytes: 1 << 20,
                maxIdlePerEndpoint: 2))
    }

    /// A node that cannot be reached or answered with a failure.
    struct Unreachable: Error, PublicError {
        let node: String
        let reason: String
        var failureKind: FailureKind { .unavailable }
        var publicMessage: String { "node \(node) \(reason)" }
        var retryAfterSeconds: Int? { 10 }
    }

    func endpoint(of node: String) async throws -> HTTPEndpoint {
        let known = try await store.read { try await $0.nodes() }.first { $0.id == node }
        guard let known else { throw Unreachable(node: node, reason: "is not known") }
        guard known.state != .down else { throw Unreachable(node: node, reason: "is down") }
        guard let endpoint = TenantForwarding.endpoint(known.address) else {
            throw Unreachable(node: node, reason: "has the unusable address '\(known.address)'")
        }
        return endpoint
    }

    func signedHeaders(_ method: HTTPMethod, _ target: String, body: [UInt8]) throws -> HTTPHeaders {
        let request = HTTPRequest(method: method, target: target, headers: [:], body: body)
        var headers = HTTPHeaders()
        for (name, value) in try signature.sign(request, node: nodeID, clientIP: "node:\(nodeID)") {
            headers.add(name, value)
        }
        return headers
    }

    /// POSTs `body` (JSON) to `node` and returns its answer, which must be a 2xx.
    func post(
        _ node: String, _ target: String, json body: [UInt8], timeout: Duration
    ) async throws
        -> HTTPClientResponse
    {
        let endpoint = try await endpoint(of: node)
        var headers = try signedHeaders(.post, target, body: body)
        headers.add("Content-Type", "application/json")
        let response: HTTPClientResponse
        do {
            response = try await client.client().execute(
                .post, endpoint, target, headers: headers, body: body, timeout: timeout)
        } catch let error as HTTPClientError {
            throw Unreachable(node: node, reason: "does not answer: \(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            let message =
                (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["error"] as? String
            throw Unreachable(node: node, reason: "answered \(response.status.code): \(message ?? "no reason given")")
        }
        return response
    }

    /// Fetches `target` from `node` into a new file at `path`, at most `limit` bytes (more is refused as it
    /// arrives, so a wrong answer cannot fill the disk); its size and SHA-256 (hex).
    func download(
        _ node: String, _ target: String, to path: String, limit: Int64
    ) async throws -> (
        bytes: Int64, sha256: String
    ) {
        let endpoint = try await endpoint(of: node)
        let headers = try signedHeaders(.get, target, body: [])
        let file = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw Failure(.internalFailure, "cannot create the file a move is received in") }
        defer { close(file) }
        let digest = StreamingSHA256()
        var bytes: Int64 = 0
        do {
            let stream = try await client.client().stream(.get, endpoint, target, headers: headers)
            guard stream.status == .ok else {
                var body: [UInt8] = []
                for try await piece in stream.body where body.count < 4096 { body += piece }
                let message =
                    (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["error"] as? String
                throw Unreachable(node: node, reason: "answered \(stream.status.code): \(message ?? "no reason given")")
            }
            for try await piece in stream.body {
                bytes += Int64(piece.count)
                guard bytes <= limit else {
                    throw Unreachable(node: node, reason: "sent more than the \(limit) bytes it announced")
                }
                digest.update(piece)
                var offset = 0
                while offset < piece.count {
                    let written = piece[offset...].withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else {
                        throw Failure(.unavailable, "the archive could not be written here (is the disk full?)")
                    }
                    offset += written
                }
            }
        } catch let error as HTTPClientError {
            throw Unreachable(node: node, reason: "broke off the transfer: \(error)")
        }
        guard fsync(file) == 0 else { throw Failure(.unavailable, "the received archive could not be synced") }
        return (bytes, digest.finish().hexString)
    }

    func shutdown() async { await client.shutdown() }
}
