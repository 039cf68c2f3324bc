import Foundation
import Glibc
import Synchronization
import Testing

@testable import ZCHTTP

/// The server over real sockets, spoken to in raw bytes.
@Suite("HTTP server over real sockets")
struct HTTPServerTests {
    /// Runs a server on a free port for the duration of `body`, then shuts it down.
    /// Each of two connections asks once and is answered once.
    func expectServed(_ first: RawClient?, _ second: RawClient) async {
        first?.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        second.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(await first?.responses(1).count == 1)
        #expect(await second.responses(1).count == 1)
    }

    func withServer(
        _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(port: 0, loops: 2),
        responder: any HTTPResponder = TestResponder(), observer: any HTTPServerObserver = NoHTTPServerObserver(),
        _ body: (Int, HTTPServer) async throws -> Void
    ) async throws {
        let server = HTTPServer(configuration: configuration, responder: responder, observer: observer)
        let running = Task { try await server.run() }
        let port = try await server.port()
        do {
            try await body(port, server)
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
        running.cancel()
        try await running.value
    }

    @Test("a GET is answered with the body, Content-Length, Date and a request id")
    func get() async throws {
        try await withServer { port, _ in
            let client = try RawClient(port: port)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try #require(await client.responses(1).first)
            #expect(response.status == 200)
            #expect(response.body == "hello")
            #expect(response.header("Content-Length") == "5")
            #expect(response.header("Date")?.hasSuffix("GMT") == true)
            #expect(response.header("X-Request-Id")?.count == 21)
        }
    }

    @Test("keep-alive and pipelining: responses in order on one connection")
    func keepAliveAndPipelining() async throws {
        try await withServer { port, _ in
            let client = try RawClient(port: port)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await client.responses(1).first?.body == "hello")
            client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
                    + "GET /slow?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nthree\r\n0\r\n\r\n")
            let responses = await client.responses(3)
            #expect(responses.map(\.body) == ["one", "slept 50", "three"])
            let ids = responses.compactMap { $0.header("X-Request-Id") }
            #expect(Set(ids).count == 3)
        }
    }

    @Test("a request id from a proxy is kept; a hostile one is replaced")
    func requestIDs() async throws {
        try await withServer { port, _ in
            let client = try RawClient(port: port)
            client.send("GET /id HTTP/1.1\r\nHost: x\r\nX-Request-Id: proxy-42.a_b\r\n\r\n")
            #expect(await client.responses(1).first?.body == "proxy-42.a_b")
            let other = try RawClient(port: port)
            other.send("GET /id HTTP/1.1\r\nHost: x\r\nX-Request-Id: <script>\r\n\r\n")
            #expect(await other.responses(1).first?.body != "<script>")
        }
    }

    static let hostile: [(String, String, Int)] = [
        (
            "CL with TE",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400
        ),
        ("duplicate CL", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        ("obs-fold", "GET /hello HTTP/1.1\r\nHost: x\r\nX: a\r\n\tb\r\n\r\n", 400),
        ("bad token", "GE@T /hello HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("unsupported coding", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br, chunked\r\n\r\n", 501),
        ("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        ("missing Host", "GET /hello HTTP/1.1\r\n\r\n", 400),
        ("oversize target", "GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("oversize head", "GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "a", count: 17_000))\r\n\r\n", 431),
        ("oversize body", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
    ]

    @Test(
        "hostile requests get their status and a JSON error, then a close; others are still served",
        arguments: hostile)
    func hostileRequests(_ name: String, _ text: String, _ status: Int) async throws {
        try await withServer { port, _ in
            let bystander = try RawClient(port: port)
            let attacker = try RawClient(port: port)
            attacker.send(text)
            let (reply, closed) = await attacker.read(timeout: 5)
            let response = RawResponse.parseAll(reply).first
            #expect(response?.status == status, "\(name): \(reply.prefix(200))")
            #expect(response?.header("Content-Type") == "application/json")
            #expect(response?.body.hasPrefix("{\"error\":") == true)
            #expect(response?.header("Connection") == "close")
            #expect(closed, "\(name): the connection is closed afterwards")
            bystander.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await bystander.responses(1).first?.body == "hello")
        }
    }

    @Test("slow-loris: a head that never completes is cut off with 408 while others are served")
    func slowLoris() async throws {
        var configuration = HTTPServerConfiguration(port: 0, loops: 1)
        configuration.requestTimeout = .milliseconds(300)
        try await withServer(configuration) { port, _ in
            let slow = try RawClient(port: port)
            slow.send("GET /hello HTTP/1.1\r\nHo")
            try await Task.sleep(for: .milliseconds(100))
            let other = try RawClient(port: port)
            other.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await other.responses(1).first?.body == "hello", "the server keeps serving others")
            slow.send("st")
            let (reply, closed) = await slow.read(timeout: 3)
            #expect(RawResponse.parseAll(reply).first?.status == 408)
            #expect(closed)
        }
    }

    @Test("an idle kept-alive connection is closed quietly after the idle timeout")
    func idleTimeout() async throws {
        var configuration = HTTPServerConfiguration(port: 0, loops: 1)
        configuration.idleTimeout = .milliseconds(200)
        try await withServer(configuration) { port, _ in
            let client = try RawClient(port: port)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await client.responses(1).count == 1)
            let (rest, closed) = await client.read(timeout: 2)
            #expect(rest.isEmpty)
            #expect(closed)
        }
    }

    @Test("a half-closed client still gets its answer")
    func halfClosed() async throws {
        try await withServer { port, _ in
            let client = try RawClient(port: port)
            client.send("GET /slow?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownWrite()
            let (reply, closed) = await client.read(timeout: 3)
            #expect(RawResponse.parseAll(reply).first?.body == "slept 50")
            #expect(closed)
        }
    }

    @Test("Expect: 100-continue gets 100 before the body is sent, then the answer")
    func expectContinue() async throws {
        try await withServer { port, _ in
            let client = try RawClient(port: port)
            client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            let (interim, _) = await client.read(timeout: 2) { $0.contains("\r\n\r\n") }
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n\r\n"))
            client.send("body")
            let final = await client.responses(1)
            #expect(final.first?.body == "body")
        }
    }

    @Test("streamed bodies are chunked; HEAD has no body; HTTP/1.0 closes")
    func streamsHeadAndOldClients() async throws {
        try await withServer { port, _ in
            let client = try RawClient(port: port)
            client.send("GET /stream?n=3 HTTP/1.1\r\nHost: x\r\n\r\n")
            let streamed = try #require(await client.responses(1).first)
            #expect(streamed.header("Transfer-Encoding") == "chunked")
            #expect(streamed.body == "data: event 0\n\ndata: event 1\n\ndata: event 2\n\n")
            client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let (head, _) = await client.read(timeout: 1) { $0.contains("\r\n\r\n") }
            #expect(head.contains("Content-Length: 5\r\n"))
            #expect(head.hasSuffix("\r\n\r\n"), "no body after a HEAD response")
            let old = try RawClient(port: port)
            old.send("GET /hello HTTP/1.0\r\n\r\n")
            let (reply, closed) = await old.read(timeout: 2)
            #expect(RawResponse.parseAll(reply).first?.body == "hello")
            #expect(closed)
        }
    }

    @Test("beyond maxConnections a connection is closed at once; capacity returns when one leaves")
    func maxConnections() async throws {
        var configuration = HTTPServerConfiguration(port: 0, loops: 1)
        configuration.maxConnections = 2
        try await withServer(configuration) { port, server in
            var first: RawClient? = try RawClient(port: port)
            let second = try RawClient(port: port)
            await expectServed(first, second)
            let third = try RawClient(port: port)
            let (nothing, closed) = await third.read(timeout: 2)
            #expect(nothing.isEmpty && closed, "the third connection is refused")
            first = nil
            for _ in 0..<100 where server.openConnections > 1 { try await Task.sleep(for: .milliseconds(10)) }
            let fourth = try RawClient(port: port)
            fourth.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await fourth.responses(1).first?.body == "hello")
        }
    }

    @Test("one client address holds at most maxConnectionsPerClient; other clients are still served")
    func perClientCap() async throws {
        var configuration = HTTPServerConfiguration(port: 0, loops: 1)
        configuration.maxConnectionsPerClient = 2
        let observer = RefusalRecorder()
        try await withServer(configuration, observer: observer) { port, server in
            var first: RawClient? = try RawClient(port: port)
            let second = try RawClient(port: port)
            await expectServed(first, second)
            let third = try RawClient(port: port)
            let (nothing, closed) = await third.read(timeout: 2)
            #expect(nothing.isEmpty && closed, "a third connection from the same address is refused")
            #expect(observer.reasons == [.clientCap])

            let other = try RawClient(port: port, from: "127.0.0.2")
            other.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await other.responses(1).first?.body == "hello", "another client is served")

            first = nil
            for _ in 0..<100 where server.openConnections > 2 { try await Task.sleep(for: .milliseconds(10)) }
            let fourth = try RawClient(port: port)
            fourth.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await fourth.responses(1).first?.body == "hello", "the client's slot comes back when one closes")
        }
    }

    @Test("a failing accept waits 10 ms, doubling to its limit, before trying again")
    func acceptBackoff() {
        let delays = (1...10).map { HTTPServer.acceptBackoff(after: $0, limit: .seconds(1)) }
        #expect(delays.prefix(4) == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
        #expect(delays.last == .seconds(1))
        #expect(HTTPServer.acceptBackoff(after: 1_000, limit: .milliseconds(250)) == .milliseconds(250))
    }

    @Test("graceful shutdown: in-flight requests finish, new connections are refused, run() returns")
    func gracefulShutdown() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0, loops: 2), responder: TestResponder())
        let running = Task { try await server.run() }
        let port = try await server.port()
        let busy = try RawClient(port: port)
        let idle = try RawClient(port: port)
        // Long enough that the shutdown has begun before it ends, even on a loaded machine.
        busy.send("GET /slow?ms=4000 HTTP/1.1\r\nHost: x\r\n\r\n")
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        let (idleReply, idleClosed) = await idle.read(timeout: 2)
        #expect(idleReply.isEmpty && idleClosed, "an idle connection is closed at once")
        let (reply, closed) = await busy.read(timeout: 8)
        let response = RawResponse.parseAll(reply).first
        #expect(response?.body == "slept 4000", "the in-flight request completes")
        #expect(response?.header("Connection") == "close")
        #expect(closed)
        try await running.value
        #expect(throws: (any Error).self) { _ = try RawClient(port: port) }
    }

    @Test("a port already in use fails run() and port() with the reason")
    func portInUse() async throws {
        try await withServer { port, _ in
            let second = HTTPServer(
                configuration: HTTPServerConfiguration(port: port, loops: 1), responder: TestResponder())
            await #expect(throws: SocketError.self) { try await second.run() }
            await #expect(throws: SocketError.self) { _ = try await second.port() }
        }
    }
}

/// Records why connections were refused.
final class RefusalRecorder: HTTPServerObserver {
    private let recorded = Mutex<[ConnectionRefusal]>([])
    var reasons: [ConnectionRefusal] { recorded.withLock { $0 } }
    func connectionOpened() {}
    func connectionClosed() {}
    func requestRefused(status: HTTPStatus, reason: String, remoteAddress: String) {}
    func connectionRefused(_ reason: ConnectionRefusal) { recorded.withLock { $0.append(reason) } }
}
