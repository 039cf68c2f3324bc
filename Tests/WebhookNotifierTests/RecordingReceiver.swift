import Foundation
import Synchronization
import ZCHTTP

/// A request as the receiver saw it.
struct ReceivedRequest: Sendable {
    var method: String
    var target: String
    var headers: HTTPHeaders
    var body: [UInt8]

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body))
        guard let dictionary = object as? [String: Any] else { throw ReceiverError("the body is not a JSON object") }
        return dictionary
    }
}

struct ReceiverError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// How the receiver answers one request.
enum Reply: Sendable {
    case status(Int, HTTPHeaders = [:])
    /// Never answers (until the server shuts down).
    case hang
}

/// A webhook receiver that records every request and answers the n-th with the n-th reply of its script
/// (the last reply again once the script is used up).
final class RecordingReceiver: HTTPResponder {
    private let state: Mutex<(script: [Reply], requests: [ReceivedRequest])>

    init(_ script: [Reply] = [.status(200)]) {
        state = Mutex((script, []))
    }

    var requests: [ReceivedRequest] { state.withLock { $0.requests } }

    func respond(to request: HTTPRequest, info: HTTPRequestInfo) async -> HTTPResponse {
        let reply = state.withLock { state in
            state.requests.append(
                ReceivedRequest(
                    method: request.method.rawValue, target: request.target, headers: request.headers,
                    body: request.body))
            return state.script[min(state.requests.count, state.script.count) - 1]
        }
        switch reply {
        case .status(let code, let headers):
            return HTTPResponse(status: HTTPStatus(code), headers: headers, bytes: Array("{\"ok\":true}".utf8))
        case .hang:
            try? await Task.sleep(for: .seconds(60))
            return HTTPResponse(status: .serviceUnavailable)
        }
    }
}

/// Runs an HTTP server on 127.0.0.1 and a free port with `receiver` for the duration of `body`, which gets
/// the server's base URL; the server is shut down and awaited before this returns or throws.
func withReceiver(_ receiver: RecordingReceiver, _ body: (URL) async throws -> Void) async throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, loops: 1)
    configuration.shutdownGrace = .milliseconds(200)
    let server = HTTPServer(configuration: configuration, responder: receiver)
    let running = Task { try await server.run() }
    do {
        let port = try await server.port()
        try await body(URL(string: "http://127.0.0.1:\(port)")!)
    } catch {
        running.cancel()
        _ = await running.result
        throw error
    }
    running.cancel()
    try await running.value
}

/// A port on 127.0.0.1 that nothing listens on: a server's, once it has shut down.
func closedPort() async throws -> Int {
    var port = 0
    try await withReceiver(RecordingReceiver()) { url in port = url.port ?? 0 }
    return port
}

/// Stands in for `Task.sleep` between attempts: records each wait and returns at once.
final class SleepRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])

    var recorded: [Duration] { waits.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.waits.withLock { $0.append(duration) } }
    }
}
