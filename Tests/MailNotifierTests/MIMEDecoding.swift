import Foundation

/// Decoders written independently of the notifier's encoders, for checking what arrives.
enum MIMEDecoding {
    /// Quoted-printable (RFC 2045 §6.7): soft breaks removed, `=XX` decoded.
    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let input = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < input.count {
            if input[index] == 0x3D, index + 2 < input.count,
                let value = UInt8(String(decoding: input[index + 1...index + 2], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A header value made of `=?UTF-8?B?…?=` words separated by folding white space, decoded and joined.
    static func decodeEncodedWords(_ text: String) -> String? {
        var bytes: [UInt8] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="),
                let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
            else { return nil }
            bytes += data
        }
        return String(bytes: bytes, encoding: .utf8)
    }
}
