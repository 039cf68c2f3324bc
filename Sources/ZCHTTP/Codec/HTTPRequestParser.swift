/// A pure, incremental HTTP/1.1 request parser (RFC 9112) over bytes, with explicit limits. Feed it
/// bytes with `append`, take requests with `next()`; pipelined requests come out one by one. Any
/// violation throws an `HTTPParseError` carrying the status to answer with; the parser is then spent.
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPParserLimits
    private var buffer: [UInt8] = []
    /// The first byte not yet consumed.
    private var start = 0
    /// Where the search for the end of the head resumes.
    private var scanned = 0
    private var state: State = .head

    struct Head {
        var method: HTTPMethod
        var target: String
        var version: HTTPVersion
        var headers: HTTPHeaders
        var expectContinue: Bool
    }

    enum ChunkState {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytes: Int)
    }

    enum State {
        case head
        case fixed(Head, remaining: Int, body: [UInt8])
        case chunked(Head, ChunkState, body: [UInt8])
        case failed
    }

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received and not yet part of a returned request.
    public var bufferedBytes: Int { buffer.count - start }

    /// True after a head with `Expect: 100-continue` was read and its body has not arrived: the server
    /// should send `100 Continue`.
    public var awaitingContinue: Bool {
        switch state {
        case .fixed(let head, let remaining, let body): head.expectContinue && remaining > 0 && body.isEmpty
        case .chunked(let head, .size, let body): head.expectContinue && body.isEmpty
        default: false
        }
    }

    /// Whether a request has begun arriving (a partial head or body is buffered).
    public var isMidRequest: Bool {
        if case .head = state { return bufferedBytes > 0 }
        return true
    }

    /// The next complete request, or nil until more bytes arrive.
    public mutating func next() throws(HTTPParseError) -> HTTPRequest? {
        do {
            return try advance()
        } catch {
            state = .failed
            throw error
        }
    }

    private mutating func advance() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            // Take the state out, so a body being appended to is not shared (and copied) with `state`.
            let current = state
            state = .failed
            switch current {
            case .failed:
                throw .bad("the connection already failed")
            case .head:
                guard var head = try readHead() else {
                    state = .head
                    return nil
                }
                let framing = try bodyFraming(head)
                head.expectContinue = framing.expectContinue
                if framing.chunked {
                    state = .chunked(head, .size, body: [])
                } else if framing.length > 0 {
                    state = .fixed(head, remaining: framing.length, body: [])
                } else {
                    state = .head
                    return request(head, body: [])
                }
            case .fixed(let head, let remaining, var body):
                let available = min(remaining, buffer.count - start)
                if available > 0 {
                    if body.isEmpty { body.reserveCapacity(remaining) }
                    body.append(contentsOf: buffer[start..<(start + available)])
                    start += available
                }
                if available == remaining {
                    state = .head
                    scanned = start
                    return request(head, body: body)
                }
                state = .fixed(head, remaining: remaining - available, body: body)
                return nil
            case .chunked(let head, let chunk, var body):
                guard try readChunked(chunk, body: &body) else {
                    state = .chunked(head, chunkState, body: body)
                    return nil
                }
                state = .head
                scanned = start
                return request(head, body: body)
            }
        }
    }

    /// Set by `readChunked` when it needs more bytes: where to resume.
    private var chunkState: ChunkState = .size

    private func request(_ head: Head, body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body)
    }

    // MARK: Head

    private mutating func readHead() throws(HTTPParseError) -> Head? {
        // RFC 9112 §2.2: ignore empty lines before the request line.
        while start < buffer.count, buffer[start] == 0x0D || buffer[start] == 0x0A {
            if buffer[start] == 0x0D {
                guard start + 1 < buffer.count else { return nil }
                guard buffer[start + 1] == 0x0A else { throw .bad("a CR not followed by LF (RFC 9112 §2.2)") }
            }
            start += 1
            scanned = max(scanned, start)
        }
        guard let end = findHeadEnd() else {
            let pending = buffer.count - start
            if firstLineEnd() == nil, pending > limits.targetBytes + 32 {
                throw HTTPParseError(.uriTooLong, "the request line is longer than \(limits.targetBytes) bytes")
            }
            if pending > limits.headBytes {
                throw HTTPParseError(.headerFieldsTooLarge, "the request head is larger than \(limits.headBytes) bytes")
            }
            return nil
        }
        guard end.headEnd - start <= limits.headBytes else {
            throw HTTPParseError(.headerFieldsTooLarge, "the request head is larger than \(limits.headBytes) bytes")
        }
        var lines: [Range<Int>] = []
        var lineStart = start
        var index = start
        while index < end.headEnd {
            if buffer[index] == 0x0A {
                var lineEnd = index
                if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                lines.append(lineStart..<lineEnd)
                lineStart = index + 1
            }
            index += 1
        }
        start = end.bodyStart
        scanned = start
        guard let requestLine = lines.first else { throw .bad("no request line") }
        var head = try parseRequestLine(requestLine)
        guard lines.count - 1 <= limits.headerCount else {
            throw HTTPParseError(.headerFieldsTooLarge, "more than \(limits.headerCount) header fields")
        }
        for line in lines.dropFirst() {
            let (name, value) = try parseField(line)
            head.headers.add(name, value)
        }
        return head
    }

    /// The end of the head (`\n\n` or `\n\r\n`) and where the body starts.
    private mutating func findHeadEnd() -> (headEnd: Int, bodyStart: Int)? {
        var index = max(start, scanned)
        while index < buffer.count {
            if buffer[index] == 0x0A {
                if index + 1 < buffer.count, buffer[index + 1] == 0x0A { return (index + 1, index + 2) }
                if index + 2 < buffer.count, buffer[index + 1] == 0x0D, buffer[index + 2] == 0x0A {
                    return (index + 1, index + 3)
                }
                if index + 2 >= buffer.count {
                    scanned = index
                    return nil
                }
            }
            index += 1
        }
        scanned = index
        return nil
    }

    private func firstLineEnd() -> Int? {
        buffer[start...].firstIndex(of: 0x0A)
    }

    private func parseRequestLine(_ line: Range<Int>) throws(HTTPParseError) -> Head {
        let bytes = buffer[line]
        guard !bytes.contains(0x0D) else { throw .bad("a CR inside the request line (RFC 9112 §2.2)") }
        let parts = bytes.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .bad("the request line must be method SP request-target SP HTTP-version (RFC 9112 §3)")
        }
        let method = parts[0]
        guard !method.isEmpty, method.allSatisfy(HTTPToken.isTokenByte) else {
            throw .bad("the method is not a token (RFC 9112 §3.1)")
        }
        let target = parts[1]
        guard target.count <= limits.targetBytes else {
            throw HTTPParseError(.uriTooLong, "the request target is longer than \(limits.targetBytes) bytes")
        }
        guard !target.isEmpty, target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .bad("the request target holds whitespace or control characters (RFC 9112 §3.2)")
        }
        let version = try parseVersion(parts[2])
        let targetText = String(decoding: target, as: UTF8.self)
        guard targetText.hasPrefix("/") || targetText == "*" || targetText.contains("://") else {
            throw .bad("the request target must be in origin, absolute or asterisk form (RFC 9112 §3.2)")
        }
        return Head(
            method: HTTPMethod(String(decoding: method, as: UTF8.self)), target: targetText, version: version,
            headers: HTTPHeaders(), expectContinue: false)
    }

    private func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let text = Array(bytes)
        guard text.count == 8, text.starts(with: Array("HTTP/".utf8)), text[6] == UInt8(ascii: "."),
            (48...57).contains(text[5]), (48...57).contains(text[7])
        else { throw .bad("the HTTP version is malformed (RFC 9112 §2.3)") }
        let version = HTTPVersion(major: Int(text[5] - 48), minor: Int(text[7] - 48))
        guard version == .http1_1 || version == .http1_0 else {
            throw HTTPParseError(.versionNotSupported, "\(version) is not supported; use HTTP/1.1")
        }
        return version
    }

    private func parseField(_ line: Range<Int>) throws(HTTPParseError) -> (String, String) {
        let bytes = buffer[line]
        guard let first = bytes.first else { throw .bad("an empty header line") }
        if first == 0x20 || first == 0x09 {
            throw .bad("obsolete line folding is not accepted (RFC 9112 §5.2)")
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            throw .bad("a header field without a colon (RFC 9112 §5)")
        }
        let name = bytes[bytes.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(HTTPToken.isTokenByte) else {
            throw .bad("a header field name is not a token, or has whitespace before the colon (RFC 9112 §5.1)")
        }
        var value = bytes[(colon + 1)...]
        while let byte = value.first, byte == 0x20 || byte == 0x09 { value.removeFirst() }
        while let byte = value.last, byte == 0x20 || byte == 0x09 { value.removeLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw .bad("a header field value holds control characters (RFC 9110 §5.5)")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// The body's framing from the head (RFC 9112 §6), and `Expect` (RFC 9110 §10.1.1).
    private func bodyFraming(_ head: Head) throws(HTTPParseError) -> (length: Int, chunked: Bool, expectContinue: Bool)
    {
        let headers = head.headers
        if head.version == .http1_1 {
            let hosts = headers.values("Host")
            guard hosts.count == 1 else {
                throw .bad(
                    hosts.isEmpty ? "HTTP/1.1 requires a Host header (RFC 9112 §3.2)" : "more than one Host header")
            }
        }
        let encodings = headers.values("Transfer-Encoding")
        let lengths = headers.values("Content-Length")
        var expectContinue = false
        if let expect = headers["Expect"] {
            guard expect.trimmingSpaces().equalsIgnoringASCIICase("100-continue") else {
                throw HTTPParseError(HTTPStatus(417), "only Expect: 100-continue is supported")
            }
            expectContinue = true
        }
        if !encodings.isEmpty {
            guard lengths.isEmpty else {
                throw .bad("Content-Length together with Transfer-Encoding is refused (RFC 9112 §6.3)")
            }
            guard head.version == .http1_1 else { throw .bad("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = encodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces() }
            guard let last = codings.last, last.equalsIgnoringASCIICase("chunked") else {
                throw .bad("chunked must be the final transfer coding (RFC 9112 §6.3)")
            }
            guard codings.count == 1 else {
                throw HTTPParseError(.notImplemented, "transfer codings other than chunked are not supported")
            }
            return (0, true, expectContinue)
        }
        guard !lengths.isEmpty else { return (0, false, false) }
        let values = lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map {
            $0.trimmingSpaces()
        }
        guard let first = values.first, values.allSatisfy({ $0 == first }) else {
            throw .bad("conflicting Content-Length values (RFC 9112 §6.3)")
        }
        guard !first.isEmpty, first.count <= 18, first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let length = Int(first)
        else {
            throw .bad("Content-Length is not a non-negative decimal number (RFC 9112 §6.2)")
        }
        guard length <= limits.bodyBytes else {
            throw HTTPParseError(.payloadTooLarge, "the body is larger than \(limits.bodyBytes) bytes")
        }
        return (length, false, expectContinue)
    }

    // MARK: Chunked bodies (RFC 9112 §7.1)

    /// Reads chunks into `body`; returns true when the last chunk and the trailers are read, false when
    /// more bytes are needed (the position to resume is left in `chunkState`).
    private mutating func readChunked(_ initial: ChunkState, body: inout [UInt8]) throws(HTTPParseError) -> Bool {
        var chunk = initial
        while true {
            switch chunk {
            case .size:
                guard let lf = buffer[start...].firstIndex(of: 0x0A) else {
                    if buffer.count - start > limits.chunkMetadataBytes + 20 {
                        throw .bad("a chunk-size line is too long")
                    }
                    chunkState = chunk
                    return false
                }
                var lineEnd = lf
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = buffer[start..<lineEnd]
                guard line.count <= limits.chunkMetadataBytes + 16 else { throw .bad("chunk extensions are too long") }
                let sizeEnd = line.firstIndex { !HTTPToken.isHexDigit($0) } ?? line.endIndex
                let digits = line[line.startIndex..<sizeEnd]
                guard !digits.isEmpty, digits.count <= 15 else {
                    throw .bad("a chunk size is missing or too large (RFC 9112 §7.1)")
                }
                let rest = line[sizeEnd...]
                guard rest.isEmpty || rest.first == UInt8(ascii: ";") || rest.first == 0x20 || rest.first == 0x09,
                    !rest.contains(0x0D)
                else { throw .bad("a chunk-size line is malformed (RFC 9112 §7.1)") }
                var size = 0
                for digit in digits { size = size << 4 | Int(PercentEncoding.hexValue(digit) ?? 0) }
                start = lf + 1
                if size == 0 {
                    chunk = .trailers(bytes: 0)
                } else {
                    guard body.count + size <= limits.bodyBytes else {
                        throw HTTPParseError(.payloadTooLarge, "the body is larger than \(limits.bodyBytes) bytes")
                    }
                    chunk = .data(remaining: size)
                }
            case .data(let remaining):
                let available = min(remaining, buffer.count - start)
                body.append(contentsOf: buffer[start..<(start + available)])
                start += available
                if available < remaining {
                    chunkState = .data(remaining: remaining - available)
                    return false
                }
                chunk = .dataEnd
            case .dataEnd:
                guard buffer.count - start >= 1 else {
                    chunkState = chunk
                    return false
                }
                if buffer[start] == 0x0A {
                    start += 1
                } else if buffer[start] == 0x0D {
                    guard buffer.count - start >= 2 else {
                        chunkState = chunk
                        return false
                    }
                    guard buffer[start + 1] == 0x0A else {
                        throw .bad("chunk data not followed by CRLF (RFC 9112 §7.1)")
                    }
                    start += 2
                } else {
                    throw .bad("chunk data longer than its size (RFC 9112 §7.1)")
                }
                chunk = .size
            case .trailers(let bytes):
                guard let lf = buffer[start...].firstIndex(of: 0x0A) else {
                    if bytes + buffer.count - start > limits.chunkMetadataBytes {
                        throw HTTPParseError(.headerFieldsTooLarge, "the trailer section is too large")
                    }
                    chunkState = chunk
                    return false
                }
                var lineEnd = lf
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let length = lineEnd - start
                start = lf + 1
                if length == 0 { return true }
                _ = try parseField(lineEnd - length..<lineEnd)
                let total = bytes + length
                guard total <= limits.chunkMetadataBytes else {
                    throw HTTPParseError(.headerFieldsTooLarge, "the trailer section is too large")
                }
                chunk = .trailers(bytes: total)
            }
        }
    }
}

/// Byte classes of RFC 9110 §5.6.2.
enum HTTPToken {
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    static func isHexDigit(_ byte: UInt8) -> Bool { PercentEncoding.hexValue(byte) != nil }
}
