import Foundation
import Synchronization

/// An HTTP/1.1 client over TCP and unix sockets, with keep-alive connection reuse, connect and read
/// timeouts, chunked and close-delimited bodies, a cap on buffered responses, and streamed bodies for
/// responses that do not end (a followed log). It runs on an event loop of its own.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    let loop: EventLoop
    private let idle = Mutex<[HTTPEndpoint: [ClientConnection]]>([:])
    private let closed = Atomic<Bool>(false)

    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws {
        self.configuration = configuration
        loop = try EventLoop(name: "zcplatform-http-client")
    }

    /// A client dropped without `shutdown()` still ends its thread (which would keep a process alive).
    deinit {
        let connections = idle.withLock { $0.values.flatMap { $0 } }
        for connection in connections { connection.close() }
        loop.requestStop()
    }

    /// Closes idle connections and stops the client's loop.
    public func shutdown() async {
        closed.store(true, ordering: .releasing)
        let connections = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle.values.flatMap { $0 }
        }
        for connection in connections { connection.close() }
        await loop.shutdown()
    }

    /// Sends a request and returns the whole response (up to `maxResponseBytes`).
    public func execute(
        _ method: HTTPMethod, _ endpoint: HTTPEndpoint, _ target: String, headers: HTTPHeaders = [:],
        body: [UInt8] = [], timeout: Duration? = nil
    ) async throws -> HTTPClientResponse {
        let stream = try await stream(method, endpoint, target, headers: headers, body: body, timeout: timeout)
        var bytes: [UInt8] = []
        for try await piece in stream.body {
            bytes.append(contentsOf: piece)
            guard bytes.count <= configuration.maxResponseBytes else {
                throw HTTPClientError.responseTooLarge(limit: configuration.maxResponseBytes)
            }
        }
        return HTTPClientResponse(status: stream.status, headers: stream.headers, body: bytes)
    }

    /// Sends a request and returns the head at once; the body is read as it is iterated. Stop
    /// iterating (or let it go) to close the connection.
    public func stream(
        _ method: HTTPMethod, _ endpoint: HTTPEndpoint, _ target: String, headers: HTTPHeaders = [:],
        body: [UInt8] = [], timeout: Duration? = nil
    ) async throws -> HTTPClientStream {
        guard !closed.load(ordering: .acquiring) else { throw HTTPClientError.shutDown }
        var fields = headers
        if !fields.contains("Host") { fields.add("Host", endpoint.hostHeader) }
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            fields.set("Content-Length", String(body.count))
        }
        var request: [UInt8] = []
        HTTPSerializer.requestHead(method, target: target, headers: fields, into: &request)
        request.append(contentsOf: body)
        let readTimeout = timeout ?? configuration.readTimeout
        let client = self
        return try await withTaskExecutorPreference(loop) {
            // A pooled connection the server has since closed fails before any response byte; then the
            // request is sent once more on a new connection.
            for attempt in 0..<2 {
                let connection = try await client.checkout(endpoint, fresh: attempt > 0)
                let reader = ResponseReader(
                    connection: connection, client: client, headRequest: method == .head, timeout: readTimeout)
                do {
                    do {
                        try await connection.send(request, timeout: readTimeout)
                    } catch HTTPClientError.connectionClosed where !connection.reused {
                        // The server may have answered early (413 to an upload it refused) and stopped
                        // reading: its answer is still to be read.
                    }
                    let head = try await reader.readHead()
                    return HTTPClientStream(status: head.status, headers: head.headers, reader: reader)
                } catch let error as HTTPClientError
                    where connection.reused && !reader.receivedAnything && error == .connectionClosed
                {
                    connection.close()
                    continue
                } catch {
                    connection.close()
                    throw error
                }
            }
            throw HTTPClientError.connectionClosed
        }
    }

    func checkout(_ endpoint: HTTPEndpoint, fresh: Bool) async throws -> ClientConnection {
        if !fresh {
            while let pooled = idle.withLock({ $0[endpoint]?.popLast() }) {
                if pooled.looksAlive() {
                    return ClientConnection(fd: pooled.fd, endpoint: endpoint, loop: loop, reused: true)
                }
                pooled.close()
            }
        }
        return try await ClientConnection.connect(to: endpoint, loop: loop, timeout: configuration.connectTimeout)
    }

    /// Keeps a connection whose response ended cleanly for the next request.
    func release(_ connection: ClientConnection) {
        guard !closed.load(ordering: .acquiring) else {
            connection.close()
            return
        }
        let kept = idle.withLock { idle -> Bool in
            var list = idle[connection.endpoint] ?? []
            guard list.count < configuration.maxIdlePerEndpoint else { return false }
            list.append(connection)
            idle[connection.endpoint] = list
            return true
        }
        if !kept { connection.close() }
    }
}

/// A response whose body arrives as it is read.
public struct HTTPClientStream: Sendable, AsyncSequence {
    public typealias Element = [UInt8]
    public let status: HTTPStatus
    public let headers: HTTPHeaders
    let reader: ResponseReader

    public var body: HTTPClientStream { self }

    public func makeAsyncIterator() -> Iterator { Iterator(reader: reader) }

    public struct Iterator: AsyncIteratorProtocol {
        let reader: ResponseReader

        public mutating func next() async throws -> [UInt8]? {
            try await reader.nextBody()
        }
    }
}

/// Reads one response from its connection; returns the connection to the pool when the response ends
/// cleanly, and closes it otherwise (also when dropped before the end).
final class ResponseReader: @unchecked Sendable {
    let connection: ClientConnection
    let client: HTTPClient
    let timeout: Duration
    private var parser: HTTPResponseParser
    private var done = false
    private(set) var receivedAnything = false
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)

    init(connection: ClientConnection, client: HTTPClient, headRequest: Bool, timeout: Duration) {
        self.connection = connection
        self.client = client
        self.timeout = timeout
        parser = HTTPResponseParser(headRequest: headRequest)
    }

    deinit {
        buffer.deallocate()
        if !done { connection.close() }
    }

    func readHead() async throws -> HTTPResponseParser.Head {
        while true {
            switch try await nextEvent() {
            case .head(let head): return head
            case .body, .end, nil: throw HTTPClientError.malformedResponse("no response head")
            }
        }
    }

    func nextBody() async throws -> [UInt8]? {
        if done { return nil }
        let client = self.client
        return try await withTaskExecutorPreference(client.loop) {
            switch try await self.nextEvent() {
            case .body(let bytes): return bytes
            case .end, nil:
                self.finish()
                return nil
            case .head: throw HTTPClientError.malformedResponse("a second response head")
            }
        }
    }

    private func finish() {
        guard !done else { return }
        done = true
        if !parser.closeDelimited, parser.leftover == 0, connection.open {
            client.release(connection)
        } else {
            connection.close()
        }
    }

    private func nextEvent() async throws -> HTTPResponseParser.Event? {
        do {
            while true {
                if let event = try parser.next() { return event }
                guard let count = try await connection.receive(into: buffer, timeout: timeout) else {
                    let event = try parser.closed()
                    connection.close()
                    return event
                }
                receivedAnything = true
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        } catch let error as HTTPParseError {
            done = true
            connection.close()
            if error.reason.hasPrefix("the server closed") { throw HTTPClientError.connectionClosed }
            throw HTTPClientError.malformedResponse(error.reason)
        } catch {
            done = true
            connection.close()
            throw error
        }
    }
}
