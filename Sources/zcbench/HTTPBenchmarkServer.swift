import Foundation
import ZCCore
import ZCHTTP
import ZCPlatform

/// `zcbench http-server`: the project's HTTP stack serving `GET /json` → `{"message":"Hello, World!"}`
/// through the router, until SIGTERM/SIGINT. The load benchmark runs it beside Hummingbird.
enum HTTPBenchmarkServer {
    struct Message: Encodable {
        let message: String
    }

    /// Which middleware stands in front of the route.
    enum Stack: String, CaseIterable {
        /// The router alone.
        case bare
        /// What `serve` runs by default: the access log (one line per request on stderr, written by the
        /// buffered writer) and the request metrics.
        case platform
        /// The same, with each access-log line written by the request's own thread (before issue 14).
        case unbuffered
    }

    static func run(port: Int, loops: Int, stack: Stack) async throws {
        var router = Router()
        var observer: any HTTPServerObserver = NoHTTPServerObserver()
        var logHandler: BufferedLogHandler?
        if stack != .bare {
            let handler: any LogHandler
            if stack == .platform {
                let buffered = BufferedLogHandler(descriptor: 2)
                logHandler = buffered
                handler = buffered
            } else {
                handler = StreamLogHandler(descriptor: 2)
            }
            let metrics = HTTPMetrics(registry: MetricsRegistry())
            router.use(AccessLog(logger: Logger(label: "http", handler: handler)))
            router.use(metrics)
            observer = metrics
        }
        router.get("/json") { _, _ in JSONBody.response(Message(message: "Hello, World!")) }
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port, loops: loops),
            responder: router.responder(logger: .disabled), observer: observer)
        let serving = Task { try await server.run() }
        print("listening on 127.0.0.1:\(try await server.port())")
        _ = await waitForSignal()
        serving.cancel()
        try await serving.value
        logHandler?.shutdown()
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
