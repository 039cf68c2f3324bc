import Foundation
import ZCCore

/// Where and how the mail notifier submits mail (`notifiers.mail.*` in the configuration): an SMTP
/// submission server, how the connection is secured, the account, the sender and who gets alerts.
public struct MailNotifierOptions: Sendable {
    /// How the connection to the server is secured.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Connect in plain text, then upgrade with STARTTLS (RFC 3207) before anything else: submission on
        /// port 587. A server that does not offer STARTTLS is refused.
        case starttls
        /// TLS from the first byte (RFC 8314 implicit TLS): submission on port 465.
        case tls
        /// Plain text throughout; allowed only to this machine (127.0.0.0/8, ::1, `localhost`), such as a
        /// local relay.
        case none

        /// The usual port: 587, 465, 25.
        public var defaultPort: Int {
            switch self {
            case .starttls: 587
            case .tls: 465
            case .none: 25
            }
        }
    }

    /// The server's host name or IP address; the name its certificate must hold.
    public var host: String
    public var port: Int
    public var tls: TLSMode
    /// With `password`, the account to authenticate as (AUTH PLAIN, or LOGIN when the server offers only that);
    /// without both, no authentication.
    public var username: String?
    /// Never shown: not in errors, logs nor `description`.
    public var password: String?
    /// The sender: `alerts@example.com` or `zcplatform <alerts@example.com>`.
    public var from: String
    /// Who receives alerts (firing and resolved), in one mail per alert; empty: alerts are not mailed.
    /// Login codes go to their own recipient only.
    public var alertRecipients: [String]
    /// A PEM file of certificates to trust besides the system's (a private CA, or the server's own
    /// self-signed certificate).
    public var caFile: String?
    /// How long one attempt may take, from connecting to the server's last answer.
    public var timeout: Duration
    /// Attempts per mail, the first included (at least 1). Only transient failures are retried.
    public var maxAttempts: Int
    /// The wait after the first failed attempt; it doubles after each further failure.
    public var initialBackoff: Duration
    /// The longest wait between attempts.
    public var maxBackoff: Duration
    /// The name this machine gives in EHLO; nil: its host name.
    public var heloName: String?

    /// - Parameter port: nil for the TLS mode's usual port (587, 465 or 25).
    public init(
        host: String, port: Int? = nil, tls: TLSMode = .starttls, username: String? = nil, password: String? = nil,
        from: String, alertRecipients: [String] = [], caFile: String? = nil, timeout: Duration = .seconds(30),
        maxAttempts: Int = 3, initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60),
        heloName: String? = nil
    ) {
        self.host = host
        self.port = port ?? tls.defaultPort
        self.tls = tls
        self.username = username
        self.password = password
        self.from = from
        self.alertRecipients = alertRecipients
        self.caFile = caFile
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.heloName = heloName
    }

    /// Throws `MailError.invalidOptions` naming the first setting that cannot work: plain text to a host
    /// that is not this machine, a username without a password (or the reverse), a malformed sender or alert
    /// recipient, an unreadable `caFile`, a port, timeout or attempt count out of range.
    public func validate() throws(MailError) {
        guard !host.isEmpty, host.utf8.count <= 253,
            host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "/" && $0 != "@" })
        else {
            throw .invalidOptions("host \(MailAddress.shown(host)) is not a host name or IP address")
        }
        guard (1...65_535).contains(port) else { throw .invalidOptions("port \(port) is not between 1 and 65535") }
        if tls == .none, !isLoopback {
            throw .invalidOptions(
                "tls = none (plain text) is allowed only to this machine (127.0.0.0/8, ::1, localhost), "
                    + "not to \(host); use starttls or tls")
        }
        if (username == nil) != (password == nil) {
            throw .invalidOptions("username and password must be set together (or neither, for no AUTH)")
        }
        if let username, username.isEmpty || username.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw .invalidOptions("the username is empty or holds a control character")
        }
        if let password, password.isEmpty || password.unicodeScalars.contains(where: { $0 == "\0" }) {
            throw .invalidOptions("the password is empty or holds a NUL")
        }
        do {
            _ = try MailAddress(parsing: from)
        } catch {
            throw .invalidOptions("from: \(error.reason)")
        }
        for recipient in alertRecipients {
            do {
                _ = try MailAddress(parsing: recipient)
            } catch {
                throw .invalidOptions("alert recipient: \(error.reason)")
            }
        }
        if let caFile, access(caFile, R_OK) != 0 {
            throw .invalidOptions("ca_file \(caFile) cannot be read")
        }
        guard timeout > .zero else { throw .invalidOptions("the timeout must be longer than zero") }
        guard maxAttempts >= 1 else { throw .invalidOptions("max_attempts must be at least 1") }
        guard initialBackoff >= .zero, maxBackoff >= .zero else {
            throw .invalidOptions("the backoff must not be negative")
        }
        if let heloName, !Self.isHELOName(heloName) {
            throw .invalidOptions("helo_name \(MailAddress.shown(heloName)) is not a host name")
        }
    }

    /// Whether `host` is this machine: `localhost`, an address in 127.0.0.0/8, or ::1.
    public var isLoopback: Bool { Self.isLoopback(host) }

    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name == "localhost." { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, name, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// The host without IPv6 brackets: what name resolution and certificate checks take.
    var bareHost: String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// `host:port`, `[::1]:25`: how errors and logs name the server.
    var server: String {
        bareHost.contains(":") ? "[\(bareHost)]:\(port)" : "\(bareHost):\(port)"
    }

    /// Whether `host` is an IP address rather than a name (no SNI is sent for an address).
    var hostIsIPAddress: Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, bareHost, &v4) == 1 || inet_pton(AF_INET6, bareHost, &v6) == 1
    }

    /// The wait after failed attempt number `attempt` (1-based): `initialBackoff` doubled `attempt - 1` times,
    /// at most `maxBackoff`.
    func backoff(afterAttempt attempt: Int) -> Duration {
        Backoff(initial: initialBackoff, limit: maxBackoff).delay(afterAttempt: attempt)
    }

    /// What EHLO announces: `heloName`, or this machine's host name when it is a usable one, or `localhost`.
    var effectiveHELOName: String {
        if let heloName { return heloName }
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Self.isHELOName(name) ? name : "localhost"
    }

    /// A domain (letters, digits, hyphens, dots) or an address literal such as `[192.0.2.1]`.
    static func isHELOName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        if name.hasPrefix("["), name.hasSuffix("]") {
            return name.dropFirst().dropLast().unicodeScalars.allSatisfy {
                $0.isASCIIAlphanumeric || $0 == "." || $0 == ":"
            }
        }
        return name.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" || $0 == "." }
    }
}

extension MailNotifierOptions: CustomStringConvertible {
    /// The server, security, account, sender and retry settings; never the password.
    public var description: String {
        let account = username.map { "as \($0)" } ?? "without AUTH"
        return "mail to \(server) (\(tls.rawValue), \(account), from \(from), \(alertRecipients.count) alert "
            + "recipients, \(maxAttempts) attempts, timeout \(timeout.mailText))"
    }
}

extension MailNotifierOptions: CustomReflectable {
    /// Every setting but the password, which shows as set or not: `dump` and debuggers print this.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "tls": tls, "username": username as Any,
                "password": password == nil ? "(none)" : "(set)", "from": from, "alertRecipients": alertRecipients,
                "caFile": caFile as Any, "timeout": timeout, "maxAttempts": maxAttempts,
                "initialBackoff": initialBackoff, "maxBackoff": maxBackoff, "heloName": heloName as Any,
            ])
    }
}
