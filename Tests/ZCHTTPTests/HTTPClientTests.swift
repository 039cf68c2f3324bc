import Foundation
import Glibc
import Synchronization
import Testing
import ZCHTTP

/// The client against the project's own server, against hand-written hostile servers, and against a
/// real Docker daemon's `/_ping` over its unix socket.
@Suite("HTTP client")
struct HTTPClientTests {
    func withServer(
        observer: any HTTPServerObserver = NoHTTPServerObserver(), _ body: (Int) async throws -> Void
    ) async throws {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0, loops: 1), responder: TestResponder(), observer: observer)
        let running = Task { try await server.run() }
        let port = try await server.port()
        do {
            try await body(port)
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
        running.cancel()
        try await running.value
    }

    @Test("GET, POST with a body, HEAD, chunked and streamed responses against our server; connections reused")
    func againstOurServer() async throws {
        let connections = CountingObserver()
        try await withServer(observer: connections) { port in
            let client = try HTTPClient()
            let endpoint = HTTPEndpoint.tcp(host: "127.0.0.1", port: port)
            let hello = try await client.execute(.get, endpoint, "/hello")
            #expect(hello.status == .ok)
            #expect(hello.text == "hello")
            let echo = try await client.execute(.post, endpoint, "/echo", body: Array("ping".utf8))
            #expect(echo.text == "ping")
            let head = try await client.execute(.head, endpoint, "/hello")
            #expect(head.body.isEmpty && head.headers["Content-Length"] == "5")
            let streamed = try await client.execute(.get, endpoint, "/stream?n=50")
            #expect(streamed.text.components(separatedBy: "data: event").count == 51)
            #expect(connections.opened == 1, "one kept-alive connection served every request")
            var pieces = 0
            let stream = try await client.stream(.get, endpoint, "/stream?n=5")
            for try await piece in stream.body where !piece.isEmpty { pieces += 1 }
            #expect(pieces >= 1)
            #expect(try await client.execute(.get, endpoint, "/hello").text == "hello", "reusable after a stream")
            #expect(connections.opened == 1)
            await client.shutdown()
        }
    }

    @Test("shutting a client down twice, or after its loop ended, returns at once", .timeLimit(.minutes(1)))
    func shutdownTwice() async throws {
        let client = try HTTPClient()
        await client.shutdown()
        await client.shutdown()
        await #expect(throws: HTTPClientError.shutDown) {
            _ = try await client.execute(.get, .tcp(host: "127.0.0.1", port: 9), "/")
        }
    }

    @Test("a response over the cap fails with responseTooLarge")
    func sizeCap() async throws {
        try await withServer { port in
            let client = try HTTPClient(configuration: HTTPClientConfiguration(maxResponseBytes: 100))
            await #expect(throws: HTTPClientError.responseTooLarge(limit: 100)) {
                _ = try await client.execute(.get, .tcp(host: "127.0.0.1", port: port), "/stream?n=100")
            }
            await client.shutdown()
        }
    }

    @Test("connect refused, a server that never answers (read timeout), a server that closes early")
    func failures() async throws {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .milliseconds(300)))
        let unused = try RawListener()
        let freePort = unused.port
        unused.stop()
        await #expect(throws: HTTPClientError.self) {
            _ = try await client.execute(.get, .tcp(host: "127.0.0.1", port: freePort), "/")
        }
        let silent = try RawListener()
        let began = Date()
        await #expect(throws: HTTPClientError.timedOut("waiting for 127.0.0.1:\(silent.port) to answer")) {
            _ = try await client.execute(.get, .tcp(host: "127.0.0.1", port: silent.port), "/")
        }
        #expect(Date().timeIntervalSince(began) < 20, "the read timeout ends the wait, not a hang")
        await client.shutdown()
        // The servers below answer, then close: a loaded machine may take longer than 300 ms to get there,
        // so these calls wait long enough that only the close can end them.
        let patient = try HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(20)))
        let rude = try RawListener(reply: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", closeAfterReply: true)
        await #expect(throws: HTTPClientError.connectionClosed) {
            _ = try await patient.execute(.get, .tcp(host: "127.0.0.1", port: rude.port), "/")
        }
        let closeDelimited = try RawListener(reply: "HTTP/1.0 200 OK\r\n\r\nuntil close", closeAfterReply: true)
        #expect(
            try await patient.execute(.get, .tcp(host: "127.0.0.1", port: closeDelimited.port), "/").text
                == "until close")
        await patient.shutdown()
    }

    @Test("a response that says Connection: close is not pooled, even when the server keeps the socket open")
    func connectionClose() async throws {
        // The server answers each connection once and then neither reads nor closes (as Werkzeug may): a
        // client that pooled the connection would wait out its read timeout on the second request.
        let server = try RawListener(
            reply: "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno", closeAfterReply: false)
        let client = try HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(60)))
        for _ in 0..<3 {
            let response = try await client.execute(.get, .tcp(host: "127.0.0.1", port: server.port), "/")
            #expect(response.status.code == 403)
            #expect(response.text == "no")
        }
        await client.shutdown()
        server.stop()
    }

    @Test("a unix-socket server answers")
    func unixSocket() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "zc-\(UUID().uuidString.prefix(8)).sock"
        ).path
        let server = try RawListener(unixPath: path, reply: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
        let client = try HTTPClient()
        let response = try await client.execute(.get, .unix(path: path), "/_ping")
        #expect(response.text == "OK")
        server.stop()
        await client.shutdown()
    }

    @Test("a real Docker daemon's /_ping and /version over its unix socket")
    func docker() async throws {
        guard let socket = DockerTestEngine.socket() else { return }
        let client = try HTTPClient()
        let ping = try await client.execute(.get, .unix(path: socket), "/_ping")
        #expect(ping.status == .ok)
        #expect(ping.text == "OK")
        #expect(ping.headers["Api-Version"] != nil)
        let version = try await client.execute(.get, .unix(path: socket), "/version")
        #expect(version.text.contains("\"ApiVersion\""))
        await client.shutdown()
    }
}

/// Counts the connections a server opened.
final class CountingObserver: HTTPServerObserver {
    private let count = Mutex(0)
    var opened: Int { count.withLock { $0 } }
    func connectionOpened() { count.withLock { $0 += 1 } }
    func connectionClosed() {}
    func requestRefused(status: HTTPStatus, reason: String, remoteAddress: String) {}
    func connectionRefused(_ reason: ConnectionRefusal) {}
}

/// The test engine named by `ZC_TEST_DOCKER_SOCKET` (`.ci/run` starts one with `.ci/docker start`).
enum DockerTestEngine {
    static func socket() -> String? {
        if let path = ProcessInfo.processInfo.environment["ZC_TEST_DOCKER_SOCKET"], !path.isEmpty { return path }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("ZC_TEST_DOCKER_SOCKET is not set; in CI .ci/run must start dockerd")
        } else {
            print(
                "skipping Docker tests: set ZC_TEST_DOCKER_SOCKET (export ZC_TEST_DOCKER_SOCKET=$(.ci/docker start /tmp/zcdocker))"
            )
        }
        return nil
    }
}

/// A listening socket that answers every connection with a fixed reply (or nothing), on a thread.
final class RawListener: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private let thread: Thread
    private let ended = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)

    init(unixPath: String? = nil, reply: String? = nil, closeAfterReply: Bool = false) throws {
        let listener: Int32
        var boundPort = 0
        if let unixPath {
            listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in unixPath.utf8.enumerated() { raw[index] = byte }
            }
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        } else {
            listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            var bound = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
            boundPort = Int(UInt16(bigEndian: bound.sin_port))
        }
        listen(listener, 16)
        fd = listener
        port = boundPort
        let ended = self.ended
        thread = Thread {
            defer { ended.signal() }
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &buffer, buffer.count)
                if let reply {
                    _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    if closeAfterReply { close(client) }
                }
            }
        }
        thread.start()
    }

    /// Wakes the accepting thread, waits for it to end, and only then closes the socket: closing first
    /// would let the thread accept on whatever socket reuses the descriptor number.
    func stop() {
        let first = stopped.withLock { stopped -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        ended.wait()
        close(fd)
    }

    deinit { stop() }
}
