import Foundation
import TestSupport
import Testing
import ZCCore

@testable import MailNotifier

/// Deliveries to a real SMTP server (aiosmtpd, `smtp_server.py`) over STARTTLS, implicit TLS and plain
/// loopback, with a certificate made for each test.
@Suite("Mail delivery to a real SMTP server")
struct MailDeliveryTests {
    @Test("a login code goes over STARTTLS with AUTH PLAIN, headers and CRLF endings intact")
    func loginCodeOverSTARTTLS() async throws {
        let configuration = SMTPTestServer.Configuration(
            .starttls, credentials: (Fixtures.username, Fixtures.password))
        try await SMTPTestServer.with(configuration) { server in
            let subject = try NotifierUnderTest(Fixtures.options(port: server.port, caFile: server.certificate))
            try await subject.notifier.send(Fixtures.loginCode)

            let received = try server.received()
            try #require(received.count == 1)
            let mail = received[0]
            #expect(mail.mailFrom == "alerts@example.com")
            #expect(mail.rcptTos == ["ada@example.com"])
            #expect(mail.authMechanism == "PLAIN")
            #expect(mail.encrypted)
            let headers = mail.headers
            #expect(headers["from"] == "\"zcplatform\" <alerts@example.com>")
            #expect(headers["to"] == "ada@example.com")
            #expect(headers["subject"] == "Your zcplatform login code")
            #expect(headers["auto-submitted"] == "auto-generated")
            #expect(headers["mime-version"] == "1.0")
            #expect(headers["content-type"] == "text/plain; charset=utf-8")
            #expect(headers["content-transfer-encoding"] == "7bit")
            let messageID = try #require(headers["message-id"])
            #expect(messageID.hasPrefix("<") && messageID.hasSuffix("@example.com>") && messageID.count > 20)
            let date = try #require(headers["date"])
            #expect(MailHeaderChecks.isRFC5322Date(date), "Date: \(date)")
            #expect(mail.body == "Your code is \(Fixtures.code).\r\nIt expires in 10 minutes.\r\n")
            #expect(MailHeaderChecks.hasOnlyCRLF(mail.data))

            #expect(subject.events == ["mail.delivered"])
            #expect(subject.attempts("mail.delivered") == "1")
            #expect(!subject.logText.contains(Fixtures.code))
            #expect(!subject.logText.contains(Fixtures.password))
            #expect(subject.sleeps.recorded.isEmpty)
        }
    }

    @Test("implicit TLS (port-465 style) to an IP address, with AUTH LOGIN when only LOGIN is offered")
    func implicitTLSWithLogin() async throws {
        let configuration = SMTPTestServer.Configuration(
            .tls, credentials: (Fixtures.username, Fixtures.password), authMechanisms: "LOGIN")
        try await SMTPTestServer.with(configuration) { server in
            let subject = try NotifierUnderTest(
                Fixtures.options(port: server.port, tls: .tls, host: "127.0.0.1", caFile: server.certificate))
            try await subject.notifier.send(Fixtures.loginCode)
            let received = try server.received()
            try #require(received.count == 1)
            #expect(received[0].authMechanism == "LOGIN")
            #expect(received[0].encrypted)
            #expect(received[0].body.contains(Fixtures.code))
        }
    }

    @Test("lines starting with a dot arrive intact (dot-stuffing)")
    func dotStuffing() async throws {
        let body = ".\n.hidden line\n..two dots\nplain\n. \n...\nlast"
        try await SMTPTestServer.with(.init(.starttls)) { server in
            let subject = try NotifierUnderTest(
                Fixtures.options(port: server.port, credentials: false, caFile: server.certificate))
            try await subject.notifier.send(Fixtures.loginCode(to: "ada@example.com", body: body))
            let received = try server.received()
            try #require(received.count == 1)
            #expect(received[0].body == body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
        }
    }

    @Test("a wrong password is a permanent 535, not retried, and the password appears nowhere")
    func wrongPassword() async throws {
        let wrong = "wr0ng-Passw0rd-Z9"
        let configuration = SMTPTestServer.Configuration(
            .starttls, credentials: (Fixtures.username, Fixtures.password))
        try await SMTPTestServer.with(configuration) { server in
            let subject = try NotifierUnderTest(
                Fixtures.options(port: server.port, password: wrong, caFile: server.certificate))
            let error = await #expect(throws: MailError.self) { try await subject.notifier.send(Fixtures.loginCode) }
            guard case .refused(_, let command, let reply) = error else {
                Issue.record("expected a refusal, got \(error?.description ?? "no error")")
                return
            }
            #expect(command == "AUTH")
            #expect(reply.code == 535)
            let text = error?.description ?? "no error"
            #expect(text.contains("localhost:\(server.port): the server refused AUTH: 535"), "\(text)")
            #expect(!text.contains(wrong))
            #expect(!subject.logText.contains(wrong))
            #expect(!subject.logText.contains(Fixtures.code))
            #expect(subject.sleeps.recorded.isEmpty)
            #expect(subject.attempts("mail.failed") == "1")
            #expect(try server.received().isEmpty)
        }
    }

    @Test("a certificate the notifier does not trust is refused, named, and not retried")
    func untrustedCertificate() async throws {
        try await SMTPTestServer.with(.init(.tls)) { server in
            let subject = try NotifierUnderTest(
                Fixtures.options(port: server.port, tls: .tls, credentials: false, maxAttempts: 3))
            let error = await #expect(throws: MailError.self) { try await subject.notifier.send(Fixtures.loginCode) }
            guard case .certificateRejected(_, let reason) = error else {
                Issue.record("expected a certificate refusal, got \(error?.description ?? "no error")")
                return
            }
            #expect(reason.contains("self-signed") || reason.contains("self signed"), "\(reason)")
            #expect(error?.description.contains("certificate verify failed") == true)
            #expect(subject.sleeps.recorded.isEmpty)
            #expect(subject.attempts("mail.failed") == "1")
            #expect(try server.received().isEmpty)
        }
    }

    @Test("a trusted certificate for another name is refused as a host name mismatch")
    func certificateForAnotherName() async throws {
        var configuration = SMTPTestServer.Configuration(.starttls)
        configuration.certificateNames = "DNS:mail.other.test"
        try await SMTPTestServer.with(configuration) { server in
            let subject = try NotifierUnderTest(
                Fixtures.options(port: server.port, credentials: false, caFile: server.certificate))
            let error = await #expect(throws: MailError.self) { try await subject.notifier.send(Fixtures.loginCode) }
            guard case .certificateRejected(_, let reason) = error else {
                Issue.record("expected a certificate refusal, got \(error?.description ?? "no error")")
                return
            }
            #expect(reason.contains("hostname mismatch"), "\(reason)")
            #expect(try server.received().isEmpty)
        }
    }

    @Test("a server that does not offer STARTTLS is refused before anything is sent")
    func startTLSNotOffered() async throws {
        let configuration = SMTPTestServer.Configuration(.plain, credentials: (Fixtures.username, Fixtures.password))
        try await SMTPTestServer.with(configuration) { server in
            let subject = try NotifierUnderTest(Fixtures.options(port: server.port, caFile: server.certificate))
            let error = await #expect(throws: MailError.self) { try await subject.notifier.send(Fixtures.loginCode) }
            #expect(error == .startTLSNotOffered(server: "localhost:\(server.port)"))
            #expect(error?.description.contains("refusing to send in plain text") == true)
            #expect(subject.sleeps.recorded.isEmpty)
            #expect(try server.received().isEmpty)
        }
    }

    @Test("a 451 on the first attempt is retried after the backoff and delivered on the second")
    func transientFailureRetried() async throws {
        let configuration = SMTPTestServer.Configuration(
            .starttls, credentials: (Fixtures.username, Fixtures.password), failFirst: (1, 451))
        try await SMTPTestServer.with(configuration) { server in
            let subject = try NotifierUnderTest(Fixtures.options(port: server.port, caFile: server.certificate))
            try await subject.notifier.send(Fixtures.loginCode)
            #expect(subject.sleeps.recorded == [.seconds(1)])
            #expect(subject.events == ["mail.retry", "mail.delivered"])
            #expect(subject.attempts("mail.delivered") == "2")
            #expect(subject.logText.contains("451"))
            #expect(try server.received().count == 1)
        }
    }

    @Test("a recipient refused with 550 fails at once, with the server's words")
    func recipientRefused() async throws {
        let configuration = SMTPTestServer.Configuration(
            .starttls, credentials: (Fixtures.username, Fixtures.password), failRecipients: 550)
        try await SMTPTestServer.with(configuration) { server in
            let subject = try NotifierUnderTest(Fixtures.options(port: server.port, caFile: server.certificate))
            let error = await #expect(throws: MailError.self) { try await subject.notifier.send(Fixtures.loginCode) }
            #expect(error?.isTransient == false)
            let text = error?.description ?? "no error"
            #expect(text.contains("the server refused RCPT TO:<ada@example.com>: 550 5.1.1"), "\(text)")
            #expect(subject.sleeps.recorded.isEmpty)
            #expect(try server.received().isEmpty)
        }
    }

    @Test("alerts go to every alert recipient, over plain text to a loopback relay")
    func alertsToRecipients() async throws {
        try await SMTPTestServer.with(.init(.plain)) { server in
            let subject = try NotifierUnderTest(
                Fixtures.options(
                    port: server.port, tls: .none, host: "127.0.0.1", credentials: false,
                    alertRecipients: ["ops@example.com", "On Call <oncall@example.com>"]))
            try await subject.notifier.send(Fixtures.firing)
            try await subject.notifier.send(Fixtures.resolved)
            let received = try server.received()
            try #require(received.count == 2)
            #expect(received[0].rcptTos == ["ops@example.com", "oncall@example.com"])
            #expect(!received[0].encrypted)
            #expect(received[0].headers["to"] == "ops@example.com, \"On Call\" <oncall@example.com>")
            #expect(received[0].headers["subject"] == "[FIRING] Disk almost full")
            #expect(
                received[0].body
                    == [
                        "node-1: /var is 91% full", "", "Severity: warning", "Labels:", "  alertname=DiskAlmostFull",
                        "  node=node-1", "Started: 2026-01-01T00:00:00Z", "At: 2026-01-01T00:05:00Z", "",
                    ].joined(separator: "\r\n"))
            #expect(received[1].headers["subject"] == "[RESOLVED] Disk almost full")
            #expect(received[1].body.contains("Resolved: 2026-01-01T01:00:00Z\r\n"))
            #expect(subject.log.records.filter { $0.event == "mail.delivered" }.count == 2)
        }
    }

    @Test("a non-ASCII subject and body arrive encoded and decode to the original")
    func nonASCIIText() async throws {
        let title = "Disque presque plein – nœud 1 🚨"
        let body = "Le disque /var du nœud 1 est plein à 91 %.\nÀ traiter."
        try await SMTPTestServer.with(.init(.plain)) { server in
            let subject = try NotifierUnderTest(
                Fixtures.options(
                    port: server.port, tls: .none, host: "127.0.0.1", credentials: false,
                    alertRecipients: ["ops@example.com"]))
            var alert = Fixtures.firing
            alert.title = title
            alert.body = body
            try await subject.notifier.send(alert)
            let received = try server.received()
            try #require(received.count == 1)
            let headers = received[0].headers
            #expect(headers["subject"]?.hasPrefix("=?UTF-8?B?") == true)
            #expect(MIMEDecoding.decodeEncodedWords(headers["subject"] ?? "") == "[FIRING] \(title)")
            #expect(headers["content-transfer-encoding"] == "quoted-printable")
            let decoded = MIMEDecoding.decodeQuotedPrintable(received[0].body)
            #expect(decoded.hasPrefix(body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\nSeverity: warning"))
            #expect(MailHeaderChecks.hasOnlyCRLF(received[0].data))
        }
    }
}

/// Checks on received messages.
enum MailHeaderChecks {
    /// `Thu, 01 Jan 2026 12:34:56 +0000`.
    static func isRFC5322Date(_ text: String) -> Bool {
        let parts = text.split(separator: " ")
        guard parts.count == 6 else { return false }
        let days = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let time = parts[4].split(separator: ":")
        return days.contains(String(parts[0])) && parts[1].count == 2 && Int(parts[1]) != nil
            && months.contains(String(parts[2])) && parts[3].count == 4 && Int(parts[3]) != nil && time.count == 3
            && time.allSatisfy { $0.count == 2 && Int($0) != nil } && (parts[5] == "+0000" || parts[5] == "-0000")
    }

    /// Every LF is preceded by CR, every CR followed by LF, and the data ends with CRLF.
    static func hasOnlyCRLF(_ bytes: [UInt8]) -> Bool {
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A, index == 0 || bytes[index - 1] != 0x0D { return false }
            if byte == 0x0D, index + 1 >= bytes.count || bytes[index + 1] != 0x0A { return false }
        }
        return bytes.suffix(2) == [0x0D, 0x0A]
    }
}
