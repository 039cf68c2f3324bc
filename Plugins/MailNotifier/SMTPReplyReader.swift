/// Cuts the bytes a server sends into replies, refusing what no honest server sends.
///
/// A reply is one or more lines of `code-text` ending in a line of `code text` (or just `code`), each line
/// ended by CRLF (a bare LF is tolerated). Every line of one reply must carry the same code. Bounds: at most
/// `maxLines` lines of at most `maxLineLength` bytes each; beyond either, or a line that does not start with
/// three digits, is a protocol error, so a misbehaving or hostile server cannot make the notifier buffer
/// without end.
struct SMTPReplyReader {
    /// Why the server's bytes are not an SMTP reply.
    struct Malformed: Error, Equatable {
        var reason: String
    }

    static let defaultMaxLines = 512
    static let defaultMaxLineLength = 4096

    let maxLines: Int
    let maxLineLength: Int
    private var buffer: [UInt8] = []
    /// Where the unread bytes of `buffer` start.
    private var start = 0
    private var code: Int?
    private var lines: [String] = []

    init(maxLines: Int = defaultMaxLines, maxLineLength: Int = defaultMaxLineLength) {
        self.maxLines = maxLines
        self.maxLineLength = maxLineLength
    }

    /// Whether bytes that are not part of a finished reply are waiting. After a STARTTLS reply there must be
    /// none: anything the server sent before the handshake could have been injected in plain text.
    var hasBufferedBytes: Bool { start < buffer.count || code != nil }

    /// Adds bytes received from the server.
    mutating func feed(_ bytes: some Collection<UInt8>) {
        if start > 0, start == buffer.count || start >= 65_536 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete reply, or nil when more bytes are needed.
    mutating func next() throws(Malformed) -> SMTPReply? {
        while let newline = buffer[start...].firstIndex(of: 0x0A) {
            var end = newline
            if end > start, buffer[end - 1] == 0x0D { end -= 1 }
            let line = buffer[start..<end]
            start = newline + 1
            if let reply = try take(line) { return reply }
        }
        if buffer.count - start > maxLineLength + 1 {
            throw Malformed(reason: "a reply line longer than \(maxLineLength) bytes")
        }
        return nil
    }

    /// Adds one line (without its line ending) to the reply being read; the reply when this line ends it.
    private mutating func take(_ line: ArraySlice<UInt8>) throws(Malformed) -> SMTPReply? {
        guard line.count <= maxLineLength else {
            throw Malformed(reason: "a reply line longer than \(maxLineLength) bytes")
        }
        let bytes = Array(line)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
            (0x32...0x35).contains(bytes[0])
        else {
            throw Malformed(reason: "a reply line that does not start with a reply code: \(Self.quoted(bytes))")
        }
        let lineCode = bytes[0...2].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        if let code, code != lineCode {
            throw Malformed(reason: "a multi-line reply changed its code from \(code) to \(lineCode)")
        }
        let separator = bytes.count > 3 ? bytes[3] : 0x20
        guard separator == 0x20 || separator == 0x2D else {
            throw Malformed(reason: "a reply line with no space or hyphen after its code: \(Self.quoted(bytes))")
        }
        code = lineCode
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        guard separator == 0x20 else {
            if lines.count >= maxLines { throw Malformed(reason: "a reply of more than \(maxLines) lines") }
            return nil
        }
        let reply = SMTPReply(code: lineCode, lines: lines)
        code = nil
        lines = []
        return reply
    }

    /// The first bytes of a bad line, for the error text.
    private static func quoted(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(40), as: UTF8.self)
        return String(reflecting: text)
    }
}
