import Foundation
import ZCCore

/// One plain-text mail as RFC 5322 writes it, ready for SMTP's DATA: header fields, a blank line, the body.
///
/// The header holds `Date` (UTC, `+0000`), `From`, `To`, `Subject` (RFC 2047 encoded words when it is not
/// plain ASCII or too long), `Message-ID` (`<random@sender's domain>`), `MIME-Version: 1.0`,
/// `Content-Type: text/plain; charset=utf-8`, `Content-Transfer-Encoding` (7bit, quoted-printable or base64,
/// whichever the body needs) and `Auto-Submitted: auto-generated` (RFC 3834: auto-responders do not answer
/// it). Every line ends in CRLF and is at most 998 octets long.
struct MailMessage: Sendable, Equatable {
    let from: MailAddress
    let to: [MailAddress]
    let subject: String
    let body: String
    let date: Timestamp
    /// `<…@…>`, the same on every attempt, so a receiver can tell a retried copy from a new mail.
    let messageID: String

    /// Refuses a subject holding a line break or a NUL (it would end the header field early) and an empty
    /// recipient list.
    init(
        from: MailAddress, to: [MailAddress], subject: String, body: String, date: Timestamp,
        messageID: String? = nil
    ) throws(MailError) {
        guard !subject.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw .invalidMessage("the subject holds a line break or a NUL")
        }
        guard !to.isEmpty else { throw .invalidMessage("no recipient") }
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = messageID ?? Self.newMessageID(domain: from.domain)
    }

    /// `<32 random hexadecimal digits@domain>`.
    static func newMessageID(domain: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2).map { _ in
            let text = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return "<\(random.joined())@\(domain)>"
    }

    /// The message's bytes: the header, a blank line, the encoded body.
    var bytes: [UInt8] {
        var lines = MIMEText.lines(body)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        let encoding = MIMEText.transferEncoding(for: lines)
        var header = [
            "Date: " + Self.rfc5322Date(date),
            "From: " + Self.mailbox(from),
            Self.addressList("To", to),
            "Subject: " + Self.headerText(subject, fieldLength: "Subject: ".count),
            "Message-ID: " + messageID,
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: " + encoding.rawValue,
            "Auto-Submitted: auto-generated",
        ].joined(separator: "\r\n")
        header += "\r\n\r\n"
        return Array(header.utf8) + MIMEText.encodedBody(lines, as: encoding)
    }

    /// A header value: as it is when it is plain ASCII and fits a line, otherwise encoded words folded one
    /// per line.
    static func headerText(_ text: String, fieldLength: Int) -> String {
        if MIMEText.isPlainHeaderText(text), fieldLength + text.utf8.count <= MIMEText.maxLineLength { return text }
        return MIMEText.encodedWords(text).joined(separator: "\r\n ")
    }

    /// `address`, or `"Name" <address>` (an encoded-word name when it is not plain ASCII).
    static func mailbox(_ mailbox: MailAddress) -> String {
        guard let name = mailbox.displayName else { return mailbox.address }
        if MIMEText.isPlainHeaderText(name) {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\" <\(mailbox.address)>"
        }
        return MIMEText.encodedWords(name).joined(separator: "\r\n ") + " <\(mailbox.address)>"
    }

    /// `To: a, b, …`, folded before an address that would take the line past 78 characters.
    static func addressList(_ field: String, _ addresses: [MailAddress]) -> String {
        var text = field + ":"
        var width = text.count
        for (index, address) in addresses.enumerated() {
            let item = mailbox(address) + (index < addresses.count - 1 ? "," : "")
            if index > 0, width + 1 + item.count > 78 {
                text += "\r\n"
                width = 0
            }
            text += " " + item
            width += 1 + item.count
        }
        return text
    }

    /// RFC 5322 §3.3 in UTC: `Thu, 01 Jan 2026 00:00:00 +0000`.
    static func rfc5322Date(_ timestamp: Timestamp) -> String {
        var time = time_t(timestamp.seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = days[Int(parts.tm_wday) % 7]
        let month = months[Int(parts.tm_mon) % 12]
        let clock = String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        let date = String(format: "%02d", Int(parts.tm_mday)) + " \(month) \(Int(parts.tm_year) + 1900)"
        return "\(day), \(date) \(clock) +0000"
    }
}
