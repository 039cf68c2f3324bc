import Foundation

/// One delivery attempt, start to finish, on the calling thread (never Swift's cooperative pool): connect,
/// read the greeting, EHLO, secure the connection, authenticate, send the envelope and the message, QUIT.
///
/// - `.tls`: TLS from the first byte. `.starttls`: EHLO, STARTTLS (refused when not offered), EHLO again.
///   `.none`: plain text (the options allow it only to this machine).
/// - EHLO refused with 5xx falls back to HELO only when neither TLS nor AUTH is needed.
/// - AUTH PLAIN when the server offers it, LOGIN otherwise; never over plain text to another machine.
/// - Any recipient refused fails the whole mail: nothing is sent to the others either, so a retry cannot
///   deliver twice to those who got it.
///
/// Every wait is bounded by one deadline, `timeout` after the start. Errors are `MailError`, or
/// `CancellationError` when the awaiting task was cancelled.
struct SMTPSession {
    let options: MailNotifierOptions
    let heloName: String
    let envelope: MailEnvelope
    let cancellation: CancellationFlag

    func run() throws {
        let deadline = ContinuousClock.now + options.timeout
        let server = options.server
        let socket = try SocketStream.connect(
            host: options.bareHost, port: options.port, server: server, deadline: deadline, timeout: options.timeout,
            cancellation: cancellation)
        let connection = SMTPConnection(socket: socket)
        defer { connection.close() }
        do {
            try converse(on: connection)
        } catch let error as MailError {
            // The server refused something and is still listening: say goodbye. Otherwise just hang up.
            if case .refused = error { try? connection.send("QUIT") }
            throw error
        }
    }

    private func converse(on connection: SMTPConnection) throws {
        let server = connection.server
        if options.tls == .tls { try startTLS(on: connection) }
        let greeting = try connection.readReply()
        guard greeting.code == 220 else {
            throw MailError.refused(server: server, command: "the connection", reply: greeting)
        }
        var capabilities = try hello(on: connection, allowHELO: options.tls == .none && !authenticates)
        if options.tls == .starttls {
            guard capabilities.startTLS else { throw MailError.startTLSNotOffered(server: server) }
            try connection.exchange("STARTTLS", expecting: [220])
            try startTLS(on: connection)
            capabilities = try hello(on: connection, allowHELO: false)
        }
        if let username = options.username, let password = options.password {
            guard connection.isEncrypted || options.isLoopback else {
                throw MailError.plaintextAuthentication(server: server)
            }
            try authenticate(on: connection, username: username, password: password, capabilities: capabilities)
        }
        try connection.exchange("MAIL FROM:<\(envelope.sender.address)>", expecting: [250], as: "MAIL FROM")
        for recipient in envelope.recipients {
            try connection.exchange("RCPT TO:<\(recipient.address)>", expecting: [250, 251])
        }
        try connection.exchange("DATA", expecting: [354])
        try connection.write(MailEnvelope.dataBlock(envelope.message))
        let accepted = try connection.readReply()
        guard accepted.code == 250 else {
            throw MailError.refused(server: server, command: "the message", reply: accepted)
        }
        // Delivered: whatever QUIT meets now must not fail the mail (a retry would send it twice).
        try? connection.send("QUIT")
        _ = try? connection.readReply()
    }

    private var authenticates: Bool { options.username != nil && options.password != nil }

    private func startTLS(on connection: SMTPConnection) throws {
        let context = try TLSContext(caFile: options.caFile, server: connection.server)
        try connection.startTLS(context: context, host: options.bareHost, hostIsIPAddress: options.hostIsIPAddress)
    }

    /// EHLO, or HELO when EHLO is refused with 5xx and `allowHELO`; what the server offers.
    private func hello(on connection: SMTPConnection, allowHELO: Bool) throws -> SMTPCapabilities {
        try connection.send("EHLO \(heloName)")
        let reply = try connection.readReply()
        if reply.code == 250 { return SMTPCapabilities(ehlo: reply) }
        guard allowHELO, (500..<600).contains(reply.code) else {
            throw MailError.refused(server: connection.server, command: "EHLO", reply: reply)
        }
        try connection.exchange("HELO \(heloName)", expecting: [250])
        return SMTPCapabilities()
    }

    /// AUTH PLAIN (RFC 4616, initial response) when offered, else AUTH LOGIN. Replies are stripped of the
    /// credentials before they can reach an error.
    private func authenticate(
        on connection: SMTPConnection, username: String, password: String, capabilities: SMTPCapabilities
    ) throws {
        let server = connection.server
        let user = Data(username.utf8).base64EncodedString()
        let secret = Data(password.utf8).base64EncodedString()
        let plain = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8)) as [UInt8]).base64EncodedString()
        let secrets = [password, secret, plain]
        func step(_ line: String) throws -> SMTPReply {
            try connection.send(line)
            return try connection.readReply().redacting(secrets)
        }
        func refused(_ reply: SMTPReply) -> MailError {
            .refused(server: server, command: "AUTH", reply: reply)
        }
        var reply: SMTPReply
        if capabilities.authMechanisms.contains("PLAIN") {
            reply = try step("AUTH PLAIN \(plain)")
            // A server that takes no initial response asks with an empty challenge.
            if reply.code == 334 { reply = try step(plain) }
        } else if capabilities.authMechanisms.contains("LOGIN") {
            reply = try step("AUTH LOGIN")
            guard reply.code == 334 else { throw refused(reply) }
            reply = try step(user)
            guard reply.code == 334 else { throw refused(reply) }
            reply = try step(secret)
        } else {
            throw MailError.authenticationNotOffered(server: server)
        }
        guard reply.code == 235 else {
            // An unexpected challenge: end the exchange before saying anything else.
            if reply.code == 334 { _ = try? step("*") }
            throw refused(reply)
        }
    }
}
