import Foundation
import ZCCore
import ZCHTTP

/// `zcbench http-server`: the project's HTTP stack serving `GET /json` → `{"message":"Hello, World!"}`
/// through the router, until SIGTERM/SIGINT. The load benchmark runs it beside Hummingbird.
enum HTTPBenchmarkServer {
    struct Message: Encodable {
        let message: String
    }

    static func run(port: Int, loops: Int) async throws {
        var router = Router()
        router.get("/json") { _, _ in JSONBody.response(Message(message: "Hello, World!")) }
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port, loops: loops),
            responder: router.responder(logger: .disabled))
        let serving = Task { try await server.run() }
        print("listening on 127.0.0.1:\(try await server.port())")
        _ = await waitForSignal()
        serving.cancel()
        try await serving.value
    }

    static func waitForSignal() async -> Int32 {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        var iterator = stream.makeAsyncIterator()
        let number = await iterator.next() ?? SIGTERM
        for source in sources { source.cancel() }
        return number
    }
}
