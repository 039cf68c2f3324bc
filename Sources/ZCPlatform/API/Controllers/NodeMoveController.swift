import Foundation
import Synchronization
import ZCCore
import ZCHTTP

/// `/internal/moves`: what one node asks of another during a move, never a person. Outside `/api` (no
/// bearer token): each request must carry a valid forwarding mark, signed with the cluster's key.
struct NodeMoveController: Sendable {
    struct Pull: StrictDecodable {
        let from: String
        let sha256: String
        let bytes: Int64
        static let fields: Set<String> = ["from", "sha256", "bytes"]
    }

    struct PulledView: Encodable {
        let files: Int
        let directories: Int
        let bytes: Int64
        let skipped: Int
    }

    let lifecycle: TenantLifecycle
    let signature: ForwardingSignature

    func register(in router: inout Router) {
        router.get("/internal/moves/{id}/archive", archive)
        router.post("/internal/moves/{id}/pull", pull)
    }

    /// Only another node of the cluster may ask.
    private func requireNode(_ request: HTTPRequest) throws {
        guard try signature.check(request) != nil else {
            throw Failure.forbidden("only the cluster's nodes call /internal (a signed request is required)")
        }
    }

    private func tenantID(_ context: RequestContext) throws -> TenantID {
        guard let id = try? TenantID(try context.parameter("id")) else {
            throw Failure.notFound("no such move")
        }
        return id
    }

    /// On the source: the archive of a move running here, streamed.
    @Sendable func archive(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        try requireNode(request)
        let id = try tenantID(context)
        guard let path = lifecycle.moveArchive(of: id) else {
            throw Failure.notFound("no move of tenant '\(id)' is running on this node")
        }
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { throw Failure.notFound("the archive of tenant '\(id)' is gone") }
        var info = stat()
        fstat(file, &info)
        let descriptor = FileDescriptorBox(file)
        return HTTPResponse(
            headers: ["Content-Type": "application/gzip", "Content-Length": String(info.st_size)],
            body: .stream { writer in
                defer { descriptor.close() }
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor.value, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { return }
                    try await writer.write(Array(buffer[0..<count]))
                }
            })
    }

    /// On the target: pull the archive from the source and make it the tenant's directory here.
    @Sendable func pull(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        try requireNode(request)
        let id = try tenantID(context)
        let body = try JSONBody.decode(Pull.self, from: request)
        let summary = try await lifecycle.receiveMove(id, from: body.from, sha256: body.sha256, bytes: body.bytes)
        return JSONBody.response(
            PulledView(
                files: summary.files, directories: summary.directories, bytes: summary.bytes,
                skipped: summary.skipped))
    }
}

/// A descriptor a streamed body closes when it ends (or, never streamed, when it is let go).
final class FileDescriptorBox: Sendable {
    let value: Int32
    private let closed = Atomic<Bool>(false)
    init(_ value: Int32) { self.value = value }
    deinit { close() }
    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(value)
    }
}
