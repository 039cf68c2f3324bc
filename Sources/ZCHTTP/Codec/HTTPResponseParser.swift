/// An incremental parser of one response (the client's side of RFC 9112): status line, fields, and the
/// body framed by Content-Length, chunks, or the connection closing. Body bytes are handed out as they
/// arrive, so large or endless bodies (a followed log) can be streamed.
struct HTTPResponseParser {
    struct Head {
        var status: HTTPStatus
        var headers: HTTPHeaders
    }

    enum Framing {
        case none
        case length(Int)
        case chunked
        case untilClose
    }

    enum Event {
        case head(Head)
        case body([UInt8])
        case end
    }

    private enum ChunkState {
        case size
        case data(Int)
        case dataEnd
        case trailers
    }

    private var buffer: [UInt8] = []
    private var start = 0
    private var head: Head?
    private var framing: Framing = .none
    private var chunk: ChunkState = .size
    private var finished = false
    let maxHeadBytes: Int
    /// The request was HEAD: no body follows whatever the fields say.
    let headRequest: Bool

    init(headRequest: Bool, maxHeadBytes: Int = 65_536) {
        self.headRequest = headRequest
        self.maxHeadBytes = maxHeadBytes
    }

    /// Whether the server said it closes the connection after this response (`Connection: close`, or
    /// HTTP/1.0 without keep-alive).
    private(set) var serverCloses = false

    /// Whether the body ends only when the server closes, or the server said it would close: either way
    /// the connection cannot be reused.
    var closeDelimited: Bool {
        if serverCloses { return true }
        if case .untilClose = framing { return true }
        return false
    }

    mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The server closed the connection: a close-delimited body ends; anything else was cut short.
    mutating func closed() throws(HTTPParseError) -> Event? {
        if finished { return nil }
        if head != nil, case .untilClose = framing {
            finished = true
            return .end
        }
        throw .bad("the server closed the connection before the response was complete")
    }

    /// The next thing the buffered bytes hold, or nil when more are needed.
    mutating func next() throws(HTTPParseError) -> Event? {
        if finished { return nil }
        guard let current = head else { return try readHead() }
        _ = current
        switch framing {
        case .none:
            finished = true
            return .end
        case .length(let remaining):
            let available = min(remaining, buffer.count - start)
            guard available > 0 else { return remaining == 0 ? finish() : nil }
            let bytes = Array(buffer[start..<(start + available)])
            start += available
            framing = .length(remaining - available)
            return .body(bytes)
        case .untilClose:
            guard buffer.count > start else { return nil }
            let bytes = Array(buffer[start...])
            start = buffer.count
            return .body(bytes)
        case .chunked:
            return try readChunk()
        }
    }

    private mutating func finish() -> Event {
        finished = true
        return .end
    }

    private mutating func readHead() throws(HTTPParseError) -> Event? {
        guard let end = headEnd() else {
            if buffer.count - start > maxHeadBytes { throw .bad("the response head is too large") }
            return nil
        }
        // Split as bytes: in a Swift String "\r\n" is one Character, so text would not split on "\n".
        var lines = buffer[start..<end.headEnd].split(separator: 0x0A, omittingEmptySubsequences: false).map {
            line -> String in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return String(decoding: trimmed, as: UTF8.self)
        }
        start = end.bodyStart
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else { throw .bad("an empty response head") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]), (100...999).contains(code)
        else { throw .bad("a malformed status line") }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .bad("a header field without a colon") }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...].trimmingSpaces()))
        }
        let status = HTTPStatus(code)
        serverCloses =
            headers.hasToken("close", in: "Connection")
            || (parts[0] == "HTTP/1.0" && !headers.hasToken("keep-alive", in: "Connection"))
        if (100..<200).contains(code) {
            // An interim response (100 Continue): the real one follows.
            return try readHead()
        }
        if headRequest || !status.allowsBody {
            framing = .none
        } else if headers.hasToken("chunked", in: "Transfer-Encoding") {
            framing = .chunked
        } else if let length = headers["Content-Length"] {
            guard let value = Int(length.trimmingSpaces()), value >= 0 else { throw .bad("a bad Content-Length") }
            framing = .length(value)
        } else {
            framing = .untilClose
        }
        let parsed = Head(status: status, headers: headers)
        head = parsed
        return .head(parsed)
    }

    private func headEnd() -> (headEnd: Int, bodyStart: Int)? {
        var index = start
        while index < buffer.count {
            if buffer[index] == 0x0A {
                if index + 1 < buffer.count, buffer[index + 1] == 0x0A { return (index + 1, index + 2) }
                if index + 2 < buffer.count, buffer[index + 1] == 0x0D, buffer[index + 2] == 0x0A {
                    return (index + 1, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    private mutating func readChunk() throws(HTTPParseError) -> Event? {
        while true {
            switch chunk {
            case .size:
                guard let lf = buffer[start...].firstIndex(of: 0x0A) else { return nil }
                let line = buffer[start..<lf]
                let digits = line.prefix { PercentEncoding.hexValue($0) != nil }
                guard !digits.isEmpty, digits.count <= 15 else { throw .bad("a bad chunk size") }
                var size = 0
                for digit in digits { size = size << 4 | Int(PercentEncoding.hexValue(digit) ?? 0) }
                start = lf + 1
                chunk = size == 0 ? .trailers : .data(size)
            case .data(let remaining):
                let available = min(remaining, buffer.count - start)
                guard available > 0 else { return nil }
                let bytes = Array(buffer[start..<(start + available)])
                start += available
                chunk = available == remaining ? .dataEnd : .data(remaining - available)
                return .body(bytes)
            case .dataEnd:
                guard let lf = buffer[start...].firstIndex(of: 0x0A) else { return nil }
                guard lf - start <= 1 else { throw .bad("chunk data longer than its size") }
                start = lf + 1
                chunk = .size
            case .trailers:
                guard let lf = buffer[start...].firstIndex(of: 0x0A) else { return nil }
                let empty = lf == start || (lf == start + 1 && buffer[start] == 0x0D)
                start = lf + 1
                if empty { return finish() }
            }
        }
    }

    /// Bytes received beyond the end of this response (a server must not send any).
    var leftover: Int { buffer.count - start }
}
