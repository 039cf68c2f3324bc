import Foundation
import Testing
import ZCCore

@testable import MailNotifier

/// Settings and addresses refused before anything is sent, and what errors say.
@Suite("Mail options")
struct MailOptionsTests {
    static func options(
        host: String = "smtp.example.com", tls: MailNotifierOptions.TLSMode = .starttls, from: String = "a@example.com"
    ) -> MailNotifierOptions {
        MailNotifierOptions(host: host, tls: tls, from: from)
    }

    @Test("defaults: STARTTLS on 587, 30 s, 3 attempts from 1 s; each TLS mode's usual port")
    func defaults() {
        let options = Self.options()
        #expect(options.tls == .starttls)
        #expect(options.port == 587)
        #expect(options.timeout == .seconds(30))
        #expect(options.maxAttempts == 3)
        #expect(options.initialBackoff == .seconds(1))
        #expect(options.alertRecipients.isEmpty)
        #expect(Self.options(tls: .tls).port == 465)
        #expect(Self.options(host: "localhost", tls: .none).port == 25)
        #expect(options.backoff(afterAttempt: 1) == .seconds(1))
        #expect(options.backoff(afterAttempt: 3) == .seconds(4))
        #expect(options.backoff(afterAttempt: 20) == .seconds(60))
    }

    @Test(
        "plain text is allowed to this machine",
        arguments: ["localhost", "LOCALHOST", "127.0.0.1", "127.9.8.7", "::1", "[::1]"])
    func plainToLoopback(_ host: String) throws {
        try Self.options(host: host, tls: .none).validate()
    }

    @Test(
        "plain text to any other host is refused",
        arguments: [
            "smtp.example.com", "10.0.0.1", "128.0.0.1", "localhost.example.com", "::2", "0.0.0.0", "::ffff:8.8.8.8",
        ])
    func plainElsewhere(_ host: String) {
        let error = #expect(throws: MailError.self) { try Self.options(host: host, tls: .none).validate() }
        let text = error?.description ?? "no error"
        #expect(text.contains("allowed only to this machine"))
        #expect(throws: MailError.self) {
            try MailNotifier(options: Self.options(host: host, tls: .none), logger: .disabled)
        }
    }

    @Test("a username without a password (or the reverse) is refused")
    func halfCredentials() {
        var options = Self.options()
        options.username = "user"
        #expect(throws: MailError.self) { try options.validate() }
        options.username = nil
        options.password = "secret-value"
        let error = #expect(throws: MailError.self) { try options.validate() }
        let text = error?.description ?? "no error"
        #expect(text.contains("set together"))
        #expect(!text.contains("secret-value"))
    }

    @Test("senders and alert recipients must be addresses; line breaks are refused")
    func addressesInOptions() {
        for from in ["a@example.com\r\nBcc: e@example.com", "not an address", "Name <a@example.com", "@example.com"] {
            #expect(throws: MailError.self, "\(from)") { try Self.options(from: from).validate() }
        }
        var options = Self.options()
        options.alertRecipients = ["ops@example.com", "oncall@example.com\nDATA"]
        #expect(throws: MailError.self) { try options.validate() }
        options.alertRecipients = ["ops@example.com", "On Call <oncall@example.com>"]
        #expect(throws: Never.self) { try options.validate() }
    }

    @Test("other settings out of range are refused")
    func ranges() {
        var options = Self.options()
        options.port = 0
        #expect(throws: MailError.self) { try options.validate() }
        options = Self.options()
        options.maxAttempts = 0
        #expect(throws: MailError.self) { try options.validate() }
        options = Self.options()
        options.timeout = .zero
        #expect(throws: MailError.self) { try options.validate() }
        options = Self.options()
        options.caFile = "/nonexistent/ca.pem"
        #expect(throws: MailError.self) { try options.validate() }
        options = Self.options()
        options.heloName = "bad name\r\n"
        #expect(throws: MailError.self) { try options.validate() }
        #expect(throws: MailError.self) { try Self.options(host: "smtp.example.com\r\nX").validate() }
    }

    @Test("the description, dump and the notifier's own text never show the password")
    func description() throws {
        var options = Self.options()
        options.username = "mailer"
        options.password = "hunter2-secret"
        var dumped = ""
        dump(options, to: &dumped)
        let notifier = try MailNotifier(options: options, logger: .disabled)
        dump(notifier, to: &dumped)
        let text = String(describing: options) + String(reflecting: options) + dumped + String(describing: notifier)
        #expect(text.contains("smtp.example.com:587"))
        #expect(dumped.contains("(set)"))
        #expect(!text.contains("hunter2-secret"))
    }

    @Test(
        "addresses this notifier accepts",
        arguments: [
            ("ada@example.com", "ada@example.com", nil),
            ("  ada.lovelace+zc@mail.example.co.uk ", "ada.lovelace+zc@mail.example.co.uk", nil),
            ("Ada Lovelace <ada@example.com>", "ada@example.com", "Ada Lovelace"),
            ("\"Lovelace, Ada\" <ada@example.com>", "ada@example.com", "Lovelace, Ada"),
            ("<ada@example.com>", "ada@example.com", nil),
            ("root@localhost", "root@localhost", nil),
        ] as [(String, String, String?)])
    func accepted(_ text: String, _ address: String, _ name: String?) throws {
        let parsed = try MailAddress(parsing: text)
        #expect(parsed.address == address)
        #expect(parsed.displayName == name)
    }

    @Test(
        "addresses this notifier refuses",
        arguments: [
            "", "ada", "ada@", "@example.com", "ada@@example.com", "a@b@example.com", "ada @example.com",
            "ada@exa mple.com", "ada@example.com\r\n", "ada@example.com\0", "Ada <ada@example.com>>",
            "Ada <ada@example.com> x", "Ada\r\n <ada@example.com>", "ada@-example.com", "ada@example..com",
            ".ada@example.com", "a..da@example.com", "adä@example.com", "ada@exämple.com", "\"ada\"@example.com",
            "ada@[127.0.0.1]", "ada(comment)@example.com", "a<b>@example.com",
        ])
    func refused(_ text: String) {
        #expect(throws: MailAddress.Invalid.self, "\(String(reflecting: text))") { try MailAddress(parsing: text) }
    }

    @Test("transient and permanent errors, in an operator's words")
    func errors() {
        let server = "smtp.example.com:587"
        let auth = MailError.refused(
            server: server, command: "AUTH",
            reply: SMTPReply(code: 535, lines: ["5.7.8 Authentication credentials invalid"]))
        #expect(
            auth.description
                == "smtp.example.com:587: the server refused AUTH: 535 5.7.8 Authentication credentials invalid")
        #expect(!auth.isTransient)
        #expect(
            MailError.refused(server: server, command: "RCPT TO:<a@b.c>", reply: SMTPReply(code: 451, lines: []))
                .isTransient)
        #expect(
            MailError.startTLSNotOffered(server: server).description
                == "smtp.example.com:587: STARTTLS is not offered; refusing to send in plain text")
        #expect(
            MailError.certificateRejected(server: server, reason: "self-signed certificate").description
                == "smtp.example.com:587: certificate verify failed: self-signed certificate")
        #expect(
            MailError.timedOut(server: server, after: .seconds(30)).description
                == "smtp.example.com:587: no answer within 30 s")
        #expect(MailError.timedOut(server: server, after: .milliseconds(1500)).description.hasSuffix("within 1.5 s"))
        #expect(MailError.timedOut(server: server, after: .seconds(30)).isTransient)
        #expect(MailError.unreachable(server: server, reason: "Connection refused").isTransient)
        #expect(MailError.connectionLost(server: server, reason: "reset").isTransient)
        #expect(!MailError.certificateRejected(server: server, reason: "x").isTransient)
        #expect(!MailError.protocolViolation(server: server, reason: "x").isTransient)
        #expect(MailNotifierOptions(host: "::1", port: 25, tls: .none, from: "a@b.c").server == "[::1]:25")
    }
}
