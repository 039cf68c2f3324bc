import Foundation

/// One answer of an SMTP server (RFC 5321 §4.2): a three-digit code and one or more lines of text, as in
/// `250-smtp.example.com` … `250 HELP`.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The reply code: 2xx done, 3xx go on (354 send the message, 334 an AUTH challenge), 4xx try again
    /// later, 5xx refused for good.
    public var code: Int
    /// The text of each line, without the code and the separator after it.
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx and 3xx.
    public var isPositive: Bool { (200..<400).contains(code) }
    /// 4xx: the server may accept the same thing later.
    public var isTransient: Bool { (400..<500).contains(code) }

    /// The longest server text an error quotes.
    static let quotedLength = 300

    /// The code and the lines' text on one line, control characters replaced by spaces, cut to 300 characters:
    /// `535 5.7.8 Authentication credentials invalid`.
    public var description: String {
        let text = lines.joined(separator: " ")
        let printable = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
        let trimmed = printable.trimmingCharacters(in: .whitespaces)
        let shown = trimmed.count > Self.quotedLength ? String(trimmed.prefix(Self.quotedLength)) + "…" : trimmed
        return shown.isEmpty ? String(code) : "\(code) \(shown)"
    }

    /// The same reply with every occurrence of each secret replaced, for replies to commands that carried
    /// credentials (a server may quote what it could not decode).
    func redacting(_ secrets: [String]) -> SMTPReply {
        var copy = self
        for secret in secrets where !secret.isEmpty {
            copy.lines = copy.lines.map { $0.replacingOccurrences(of: secret, with: "[redacted]") }
        }
        return copy
    }
}
