import Foundation
import Testing
import ZCCore

@testable import MailNotifier

/// The RFC 5322 message builder and SMTP's dot-stuffing, without a server.
@Suite("Mail message")
struct MailMessageTests {
    static let sender = try? MailAddress(parsing: "zcplatform <alerts@example.com>")
    static let ada = try? MailAddress(parsing: "ada@example.com")

    static func message(subject: String = "Hello", body: String) throws -> MailMessage {
        try MailMessage(
            from: try #require(sender), to: [try #require(ada)], subject: subject, body: body, date: Fixtures.start,
            messageID: "<id@example.com>")
    }

    static func text(_ message: MailMessage) -> String { String(decoding: message.bytes, as: UTF8.self) }

    static func lines(_ message: MailMessage) -> [String] {
        text(message).components(separatedBy: "\r\n")
    }

    @Test("the header holds every field, in order, with the date in RFC 5322 form")
    func header() throws {
        let text = Self.text(try Self.message(body: "Hi"))
        #expect(
            text
                == [
                    "Date: Thu, 01 Jan 2026 00:00:00 +0000", "From: \"zcplatform\" <alerts@example.com>",
                    "To: ada@example.com", "Subject: Hello", "Message-ID: <id@example.com>", "MIME-Version: 1.0",
                    "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit",
                    "Auto-Submitted: auto-generated", "", "Hi", "",
                ].joined(separator: "\r\n"))
    }

    @Test("a new Message-ID is random, at the sender's domain")
    func messageID() throws {
        let first = try MailMessage(
            from: try #require(Self.sender), to: [try #require(Self.ada)], subject: "s", body: "b",
            date: Fixtures.start)
        let second = try MailMessage(
            from: try #require(Self.sender), to: [try #require(Self.ada)], subject: "s", body: "b",
            date: Fixtures.start)
        #expect(first.messageID.hasPrefix("<") && first.messageID.hasSuffix("@example.com>"))
        #expect(first.messageID.count == 32 + "<@example.com>".count)
        #expect(first.messageID != second.messageID)
    }

    @Test("LF, CR and CRLF line endings all become CRLF", arguments: ["a\nb\n", "a\rb\r", "a\r\nb\r\n", "a\nb"])
    func lineEndings(_ body: String) throws {
        let message = try Self.message(body: body)
        #expect(MailHeaderChecks.hasOnlyCRLF(message.bytes))
        #expect(Self.text(message).hasSuffix("\r\n\r\na\r\nb\r\n"))
    }

    @Test("a non-ASCII subject becomes RFC 2047 encoded words that decode to it, each at most 75 characters")
    func encodedSubject() throws {
        let subject = String(repeating: "Überwachung: Speicher fast voll – ", count: 4) + "🚨"
        let lines = Self.lines(try Self.message(subject: subject, body: "b"))
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
        var field = [lines[start]]
        field += lines[(start + 1)...].prefix { $0.hasPrefix(" ") }
        #expect(field.count > 1, "folded over several lines")
        let words = field.map {
            $0.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces)
        }
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") })
        #expect(MIMEDecoding.decodeEncodedWords(words.joined(separator: " ")) == subject)
    }

    @Test("a plain ASCII subject stays as it is; one that looks like an encoded word is encoded")
    func plainSubject() throws {
        #expect(
            Self.lines(try Self.message(subject: "[FIRING] Disk almost full", body: "b")).contains(
                "Subject: [FIRING] Disk almost full"))
        let tricky = Self.lines(try Self.message(subject: "=?UTF-8?B?SGk=?=", body: "b"))
        let field = try #require(tricky.first { $0.hasPrefix("Subject: ") })
        #expect(MIMEDecoding.decodeEncodedWords(String(field.dropFirst(9))) == "=?UTF-8?B?SGk=?=")
    }

    @Test("a subject with a line break or NUL is refused", arguments: ["a\r\nBcc: x@y.z", "a\nb", "a\rb", "a\0b"])
    func subjectInjection(_ subject: String) {
        #expect(throws: MailError.invalidMessage("the subject holds a line break or a NUL")) {
            try Self.message(subject: subject, body: "b")
        }
    }

    @Test("every line stays within 998 octets, whatever the body and subject")
    func lineLengths() throws {
        let bodies = [
            String(repeating: "x", count: 5000),
            String(repeating: "word ", count: 2000),
            String(repeating: "é", count: 3000),
            String(repeating: "a", count: 998) + "\n" + String(repeating: "b", count: 999),
        ]
        for body in bodies {
            let message = try Self.message(subject: String(repeating: "long subject ", count: 200), body: body)
            let lines = Self.lines(message)
            #expect(lines.allSatisfy { $0.utf8.count <= 998 }, "longest: \(lines.map(\.utf8.count).max() ?? 0)")
            #expect(MailHeaderChecks.hasOnlyCRLF(message.bytes))
        }
    }

    @Test("ASCII with a line over 998 octets goes quoted-printable and decodes back")
    func longLineQuotedPrintable() throws {
        let body = String(repeating: "0123456789", count: 150) + "\n= and trailing space \nend"
        let message = try Self.message(body: body)
        let text = Self.text(message)
        #expect(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"))
        let encoded = try #require(text.components(separatedBy: "\r\n\r\n").last)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(
            MIMEDecoding.decodeQuotedPrintable(encoded) == body.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n")
    }

    @Test("mostly non-ASCII text goes base64 and decodes back")
    func base64Body() throws {
        let body = "ディスクがほぼ満杯です\nノード1"
        let text = Self.text(try Self.message(body: body))
        #expect(text.contains("Content-Transfer-Encoding: base64\r\n"))
        let encoded = try #require(text.components(separatedBy: "\r\n\r\n").last)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        let decoded = Data(base64Encoded: encoded.replacingOccurrences(of: "\r\n", with: ""))
        #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == "ディスクがほぼ満杯です\r\nノード1\r\n")
    }

    @Test("a display name is quoted, its quotes escaped; a non-ASCII one is encoded")
    func displayNames() throws {
        let quoted = try MailAddress(parsing: "\"Ops \\ \\\"team\\\"\" <ops@example.com>")
        #expect(MailMessage.mailbox(quoted).hasSuffix("<ops@example.com>"))
        let plain = try MailAddress(parsing: "Ops \"A\" <ops@example.com>")
        #expect(MailMessage.mailbox(plain) == "\"Ops \\\"A\\\"\" <ops@example.com>")
        let accented = try MailAddress(parsing: "Équipe <ops@example.com>")
        let rendered = MailMessage.mailbox(accented)
        #expect(rendered.hasPrefix("=?UTF-8?B?") && rendered.hasSuffix("?= <ops@example.com>"))
    }

    @Test("a long recipient list is folded")
    func foldedRecipients() throws {
        let recipients = try (1...20).map { try MailAddress(parsing: "operator-\($0)@example.com") }
        let field = MailMessage.addressList("To", recipients)
        let lines = field.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
    }

    @Test("dot-stuffing doubles a leading dot on every line and ends with the lone dot")
    func dotStuffing() {
        let message = Array(".a\r\nb.\r\n..c\r\n.\r\nd".utf8)
        #expect(
            String(decoding: MailEnvelope.dataBlock(message), as: UTF8.self) == "..a\r\nb.\r\n...c\r\n..\r\nd\r\n.\r\n")
        #expect(String(decoding: MailEnvelope.dataBlock(Array("x\r\n".utf8)), as: UTF8.self) == "x\r\n.\r\n")
    }

    @Test("an alert's body lists severity, labels sorted, and its times")
    func alertContent() {
        #expect(MailContent.subject(for: Fixtures.firing) == "[FIRING] Disk almost full")
        #expect(MailContent.subject(for: Fixtures.resolved) == "[RESOLVED] Disk almost full")
        #expect(MailContent.subject(for: Fixtures.loginCode) == Fixtures.loginCode.title)
        #expect(MailContent.body(for: Fixtures.loginCode) == Fixtures.loginCode.body)
        let body = MailContent.body(for: Fixtures.resolved)
        #expect(
            body
                == "node-1: /var is 62% full\n\nSeverity: warning\nLabels:\n  alertname=DiskAlmostFull\n"
                + "  node=node-1\nStarted: 2026-01-01T00:00:00Z\nResolved: 2026-01-01T01:00:00Z\n")
    }

    @Test("the RFC 5322 date of known instants")
    func dates() {
        #expect(MailMessage.rfc5322Date(Timestamp(seconds: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailMessage.rfc5322Date(Timestamp(seconds: 1_709_210_096)) == "Thu, 29 Feb 2024 12:34:56 +0000")
    }
}
