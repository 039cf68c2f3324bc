/// Why a mail was not sent, in an operator's words.
///
/// Each text names the server as `host:port` and, when the server refused something, its reply code and
/// text (`smtp.example.com:587: the server refused AUTH: 535 5.7.8 Authentication credentials invalid`).
/// It never holds the password, the credentials as sent, nor anything of the message: a login code's body is
/// the code itself.
public enum MailError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The notifier's settings cannot work (a plain-text server that is not on this machine, a malformed
    /// address…); found when the notifier is made, before anything is sent.
    case invalidOptions(String)
    /// This notification cannot be mailed as it is (a login code without a recipient, a line break in a
    /// header); nothing was sent.
    case invalidMessage(String)
    /// No connection: the name did not resolve, or every address refused or could not be reached. Retried.
    case unreachable(server: String, reason: String)
    /// The attempt did not finish within the notifier's timeout. Retried.
    case timedOut(server: String, after: Duration)
    /// The server closed or reset the connection in the middle of the conversation. Retried.
    case connectionLost(server: String, reason: String)
    /// The server's certificate was not trusted (its chain, its dates or its name); `reason` is OpenSSL's
    /// verdict, such as `self-signed certificate`. Not retried.
    case certificateRejected(server: String, reason: String)
    /// The TLS handshake failed for another reason (no common protocol version or cipher, not a TLS server).
    /// Not retried.
    case tlsFailed(server: String, reason: String)
    /// STARTTLS was required and the server does not offer it. Not retried: nothing is sent in plain text.
    case startTLSNotOffered(server: String)
    /// A username and password are set, and the server offers neither AUTH PLAIN nor AUTH LOGIN.
    case authenticationNotOffered(server: String)
    /// The password would have crossed an unencrypted connection to a host that is not this machine.
    case plaintextAuthentication(server: String)
    /// The server answered `command` with a 4xx (retried) or 5xx (not retried) reply.
    case refused(server: String, command: String, reply: SMTPReply)
    /// The server broke the protocol (a malformed reply, too many or too long reply lines). Not retried.
    case protocolViolation(server: String, reason: String)

    /// Whether another attempt may succeed: connection failures, time-outs and 4xx replies.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .timedOut, .connectionLost: true
        case .refused(_, _, let reply): reply.isTransient
        case .invalidOptions, .invalidMessage, .certificateRejected, .tlsFailed, .startTLSNotOffered,
            .authenticationNotOffered, .plaintextAuthentication, .protocolViolation:
            false
        }
    }

    public var description: String {
        switch self {
        case .invalidOptions(let reason): "mail notifier: \(reason)"
        case .invalidMessage(let reason): "mail not sent: \(reason)"
        case .unreachable(let server, let reason): "\(server): cannot connect: \(reason)"
        case .timedOut(let server, let after): "\(server): no answer within \(after.mailText)"
        case .connectionLost(let server, let reason): "\(server): connection lost: \(reason)"
        case .certificateRejected(let server, let reason): "\(server): certificate verify failed: \(reason)"
        case .tlsFailed(let server, let reason): "\(server): TLS handshake failed: \(reason)"
        case .startTLSNotOffered(let server): "\(server): STARTTLS is not offered; refusing to send in plain text"
        case .authenticationNotOffered(let server):
            "\(server): the server offers neither AUTH PLAIN nor AUTH LOGIN; refusing to send unauthenticated"
        case .plaintextAuthentication(let server):
            "\(server): refusing to send the password over an unencrypted connection"
        case .refused(let server, let command, let reply): "\(server): the server refused \(command): \(reply)"
        case .protocolViolation(let server, let reason): "\(server): protocol error: \(reason)"
        }
    }
}

extension Duration {
    /// `30 s`, `1.5 s`, `250 ms`: how error texts state a timeout.
    var mailText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds) s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        let tenths = milliseconds / 100
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
