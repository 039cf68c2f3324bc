import Foundation

/// The encodings that keep a UTF-8 text within what mail transport carries safely: 7-bit lines of at most 998
/// octets ending in CRLF (RFC 5322 §2.1.1), headers in RFC 2047 encoded words, bodies in quoted-printable or
/// base64 (RFC 2045).
enum MIMEText {
    /// The longest line RFC 5322 allows, CRLF not counted.
    static let maxLineLength = 998

    /// How a body travels.
    enum TransferEncoding: String, Equatable {
        /// ASCII with short lines, as it is.
        case sevenBit = "7bit"
        /// Mostly ASCII with some other bytes, or lines too long: readable as it travels.
        case quotedPrintable = "quoted-printable"
        /// Mostly non-ASCII text.
        case base64
    }

    /// The lines of `text`, split at CRLF, lone CR and lone LF alike.
    static func lines(_ text: String) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0A, previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == 0x0D
            if byte == 0x0D || byte == 0x0A {
                lines.append(current)
                current = []
            } else {
                current.append(byte)
            }
        }
        lines.append(current)
        return lines
    }

    /// `text` with every line ending made CRLF, ending in CRLF.
    static func crlfNormalized(_ text: String) -> [UInt8] {
        var lines = lines(text)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }
        return lines.flatMap { $0 + [0x0D, 0x0A] }
    }

    /// The encoding a body needs: 7bit when it is ASCII (no NUL) with lines of at most 998 octets; otherwise
    /// quoted-printable when at most a quarter of its bytes are not ASCII, base64 when more are.
    static func transferEncoding(for lines: [[UInt8]]) -> TransferEncoding {
        let total = lines.reduce(0) { $0 + $1.count }
        let eightBit = lines.reduce(0) { count, line in count + line.count { $0 >= 0x80 || $0 == 0 } }
        if eightBit == 0, lines.allSatisfy({ $0.count <= maxLineLength }) { return .sevenBit }
        return eightBit * 4 <= total ? .quotedPrintable : .base64
    }

    /// The body lines encoded as `encoding` says, each output line ending in CRLF.
    static func encodedBody(_ lines: [[UInt8]], as encoding: TransferEncoding) -> [UInt8] {
        switch encoding {
        case .sevenBit:
            return lines.flatMap { $0 + [0x0D, 0x0A] }
        case .quotedPrintable:
            return lines.flatMap { quotedPrintable($0) }
        case .base64:
            let joined = Array(lines.map { $0 + [0x0D, 0x0A] }.joined())
            let text = Array(Data(joined).base64EncodedString().utf8)
            return stride(from: 0, to: text.count, by: 76).flatMap { start in
                text[start..<min(start + 76, text.count)] + [0x0D, 0x0A]
            }
        }
    }

    /// One line in quoted-printable (RFC 2045 §6.7): printable ASCII other than `=` as it is, spaces and tabs
    /// as they are except at the end, every other byte as `=XX`; lines of at most 76 characters joined by soft
    /// breaks (`=` CRLF). Ends in CRLF.
    static func quotedPrintable(_ line: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var width = 0
        for (index, byte) in line.enumerated() {
            let isLast = index == line.count - 1
            let literal =
                ((0x21...0x7E).contains(byte) && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !isLast)
            let token: [UInt8] = literal ? [byte] : [0x3D, hexDigit(byte >> 4), hexDigit(byte & 0x0F)]
            // Keep room for the soft break's `=` unless this token ends the line.
            let limit = isLast ? 76 : 75
            if width + token.count > limit {
                output += [0x3D, 0x0D, 0x0A]
                width = 0
            }
            output += token
            width += token.count
        }
        return output + [0x0D, 0x0A]
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 + value : 0x41 + value - 10
    }

    /// Whether a header value can be written as it is: printable ASCII, spaces and tabs, and nothing a reader
    /// would take for an encoded word.
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) || $0 == "\t" } && !text.contains("=?")
    }

    /// `text` as RFC 2047 encoded words, `=?UTF-8?B?…?=`, each at most 75 characters and holding whole
    /// characters, to be joined by a folding CRLF and space.
    static func encodedWords(_ text: String) -> [String] {
        // 45 bytes are 60 base64 characters: with the 12 of `=?UTF-8?B?` and `?=`, 72.
        let maxBytes = 45
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > maxBytes {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }
}
