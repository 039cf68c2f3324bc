/// The conversation channel with one SMTP server: command lines out, replies in, in plain text until
/// `startTLS` and encrypted after.
///
/// Made, used and closed by the one thread that runs a delivery attempt; it owns its socket and TLS session.
final class SMTPConnection {
    let server: String
    private let socket: SocketStream
    private var tls: TLSStream?
    private var reader = SMTPReplyReader()

    /// Whether the connection is encrypted now.
    var isEncrypted: Bool { tls != nil }

    init(socket: SocketStream) {
        self.socket = socket
        self.server = socket.server
    }

    deinit { close() }

    /// Starts TLS on the connection (at once for implicit TLS, after a 220 to STARTTLS otherwise).
    ///
    /// Refuses to when the server has already sent more than its last reply: in plain text, those bytes could
    /// have been injected by anyone on the path, to be read later as if they came over TLS (RFC 3207 §6).
    func startTLS(context: TLSContext, host: String, hostIsIPAddress: Bool) throws {
        guard !reader.hasBufferedBytes else {
            throw MailError.protocolViolation(server: server, reason: "the server sent data before the TLS handshake")
        }
        tls = try TLSStream(context: context, socket: socket, host: host, hostIsIPAddress: hostIsIPAddress)
    }

    /// Sends one command line; CRLF is added.
    func send(_ line: String) throws {
        try write(Array(line.utf8) + [0x0D, 0x0A])
    }

    /// Sends bytes as they are (the message during DATA).
    func write(_ bytes: [UInt8]) throws {
        if let tls { try tls.send(bytes) } else { try socket.send(bytes) }
    }

    /// The server's next reply, waiting as long as the attempt's deadline allows.
    func readReply() throws -> SMTPReply {
        while true {
            do {
                if let reply = try reader.next() { return reply }
            } catch {
                throw MailError.protocolViolation(server: server, reason: error.reason)
            }
            reader.feed(try tls?.receive() ?? socket.receive())
        }
    }

    /// Sends `command` and reads the reply; throws `refused` unless the code is one of `expected`.
    @discardableResult
    func exchange(_ command: String, expecting expected: Set<Int>, as name: String? = nil) throws -> SMTPReply {
        try send(command)
        let reply = try readReply()
        guard expected.contains(reply.code) else {
            throw MailError.refused(server: server, command: name ?? command, reply: reply)
        }
        return reply
    }

    func close() {
        tls?.shutdown()
        tls = nil
        socket.close()
    }
}
