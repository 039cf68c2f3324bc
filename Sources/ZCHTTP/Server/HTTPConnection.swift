import Foundation
import Glibc
import ZCCore

/// One client connection, served on its event loop: read, parse, respond, and again while kept alive.
/// Runs as a task whose executor is the loop, so it never leaves the loop's thread unless the
/// responder's own work does.
struct HTTPConnection {
    let fd: Int32
    let loop: EventLoop
    let server: HTTPServer.Shared
    let remoteAddress: String

    func serve() async {
        server.observer.connectionOpened()
        defer {
            loop.deregister(fd)
            close(fd)
            server.connectionEnded(from: remoteAddress)
            server.observer.connectionClosed()
        }
        do {
            try loop.register(fd)
        } catch {
            return
        }
        var parser = HTTPRequestParser(limits: server.configuration.limits)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16_384, alignment: 16)
        defer { buffer.deallocate() }
        var idleSince = MonotonicClock.now()
        var requestStarted: UInt64?
        while true {
            // Read until a whole request is parsed.
            var next: HTTPRequest?
            var sentContinue = false
            do {
                while true {
                    if let request = try parser.next() {
                        next = request
                        break
                    }
                    if parser.isMidRequest, requestStarted == nil { requestStarted = MonotonicClock.now() }
                    if parser.awaitingContinue, !sentContinue {
                        try await write(HTTPSerializer.continueResponse)
                        sentContinue = true
                    }
                    if server.isShuttingDown, !parser.isMidRequest { return }
                    switch try Socket.read(fd, into: buffer) {
                    case .done(let count):
                        parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    case .closed:
                        return
                    case .wouldBlock:
                        let deadline =
                            requestStarted.map { $0 + nanoseconds(server.configuration.requestTimeout) }
                            ?? idleSince + nanoseconds(server.configuration.idleTimeout)
                        do {
                            try await loop.waitReadable(fd, deadline: deadline)
                        } catch is SocketTimeout {
                            if parser.isMidRequest {
                                await refuse(.requestTimeout, "the request did not arrive within the request timeout")
                            }
                            return
                        } catch is ShutdownInterrupt {
                            continue
                        }
                    }
                }
            } catch let error as HTTPParseError {
                await refuse(error.status, error.reason)
                return
            } catch {
                return
            }
            guard let request = next else { return }
            requestStarted = nil
            let requestID = RequestID.accepting(request.headers["X-Request-Id"]) ?? RequestID.next()
            let response = await server.responder.respond(
                to: request, info: HTTPRequestInfo(requestID: requestID, remoteAddress: remoteAddress))
            let keepAlive = request.keepAlive && !server.isShuttingDown
            do {
                try await send(response, to: request, requestID: requestID, keepAlive: keepAlive)
            } catch {
                return
            }
            guard keepAlive, !(response.headers["Connection"]?.equalsIgnoringASCIICase("close") ?? false) else {
                return
            }
            idleSince = MonotonicClock.now()
        }
    }

    private func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// Answers a request the parser refused, with a JSON body, and closes.
    private func refuse(_ status: HTTPStatus, _ reason: String) async {
        server.observer.requestRefused(status: status, reason: reason, remoteAddress: remoteAddress)
        let requestID = RequestID.next()
        let body = Array("{\"error\":\(JSONString.quote(reason)),\"request_id\":\"\(requestID)\"}".utf8)
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("Content-Length", String(body.count))
        headers.add("Connection", "close")
        headers.add("Date", HTTPDate.now())
        headers.add("X-Request-Id", requestID)
        var bytes: [UInt8] = []
        HTTPSerializer.responseHead(status, headers: headers, into: &bytes)
        bytes.append(contentsOf: body)
        try? await write(bytes)
        await lingeringClose()
    }

    /// Closing with unread input makes the kernel send a reset, which can destroy the answer just
    /// written before the client reads it. So: stop sending, then read and discard what the client is
    /// still sending (a refused upload) for a moment, as mature servers do.
    private func lingeringClose() async {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = MonotonicClock.deadline(after: .seconds(2))
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)
        defer { scratch.deallocate() }
        var discarded = 0
        while discarded < 16 << 20 {
            guard let result = try? Socket.read(fd, into: scratch) else { return }
            switch result {
            case .done(let count): discarded += count
            case .closed: return
            case .wouldBlock:
                do {
                    try await loop.waitReadable(fd, deadline: deadline)
                } catch {
                    return
                }
            }
        }
    }

    private func send(
        _ response: HTTPResponse, to request: HTTPRequest, requestID: String, keepAlive: Bool
    ) async throws {
        var headers = response.headers
        if !headers.contains("Date") { headers.add("Date", HTTPDate.now()) }
        headers.set("X-Request-Id", requestID)
        if !keepAlive {
            headers.set("Connection", "close")
        } else if request.version == .http1_0 {
            headers.set("Connection", "keep-alive")
        }
        let bodyAllowed = response.status.allowsBody
        let isHead = request.method == .head
        var bytes: [UInt8] = []
        switch response.body {
        case .empty:
            if bodyAllowed { headers.set("Content-Length", "0") }
            HTTPSerializer.responseHead(response.status, headers: headers, into: &bytes)
            try await write(bytes)
        case .bytes(let body):
            if bodyAllowed { headers.set("Content-Length", String(body.count)) }
            HTTPSerializer.responseHead(response.status, headers: headers, into: &bytes)
            if bodyAllowed, !isHead { bytes.append(contentsOf: body) }
            try await write(bytes)
        case .stream(let produce):
            let chunked = request.version == .http1_1
            headers.remove("Content-Length")
            if chunked {
                headers.set("Transfer-Encoding", "chunked")
            } else {
                headers.set("Connection", "close")
            }
            HTTPSerializer.responseHead(response.status, headers: headers, into: &bytes)
            try await write(bytes)
            guard bodyAllowed, !isHead else { return }
            try await produce(ConnectionBodyWriter(connection: self, chunked: chunked))
            if chunked { try await write(HTTPSerializer.lastChunk) }
            if !chunked { throw CancellationError() }  // a close-delimited body ends by closing
        }
    }

    /// Writes every byte, waiting while the client's window is full, up to the write timeout.
    func write(_ bytes: [UInt8]) async throws {
        var offset = 0
        let deadline = MonotonicClock.deadline(after: server.configuration.writeTimeout)
        while offset < bytes.count {
            let result = try bytes.withUnsafeBytes { buffer in
                try Socket.write(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
            }
            switch result {
            case .done(let count): offset += count
            case .closed: throw SocketError("send", code: EPIPE)
            case .wouldBlock: try await loop.waitWritable(fd, deadline: deadline)
            }
        }
    }
}

/// Writes a streamed body as chunks on its connection.
struct ConnectionBodyWriter: HTTPBodyWriter {
    let connection: HTTPConnection
    let chunked: Bool

    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        if chunked {
            var framed: [UInt8] = []
            framed.reserveCapacity(bytes.count + 12)
            HTTPSerializer.chunk(bytes, into: &framed)
            try await connection.write(framed)
        } else {
            try await connection.write(bytes)
        }
    }
}

/// JSON string quoting for the server's own small error bodies.
enum JSONString {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
