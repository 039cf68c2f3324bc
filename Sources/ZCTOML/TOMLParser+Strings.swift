/// The four TOML string forms: basic `"…"`, literal `'…'`, and their multi-line `"""…"""` / `'''…'''` variants.
extension TOMLParser {
    /// Parses a single-line basic string, starting at its opening quote.
    mutating func parseBasicString() throws(TOMLError) -> String {
        let start = position
        position += 1
        var output: [UInt8] = []
        while true {
            let runStart = position
            while position < bytes.count, !isSpecialInBasicString(bytes[position]) {
                position += 1
            }
            output.append(contentsOf: bytes[runStart..<position])
            guard position < bytes.count else {
                throw error("unterminated string: expected '\"' before the end of the document", at: start)
            }
            let byte = bytes[position]
            switch byte {
            case TOMLByte.quote:
                position += 1
                return String(decoding: output, as: UTF8.self)
            case TOMLByte.backslash:
                try parseEscape(into: &output)
            case TOMLByte.lineFeed, TOMLByte.carriageReturn:
                throw error("unterminated string: a basic string must end with '\"' on the same line", at: position)
            default:
                throw controlCharacterError(at: position, in: "a string")
            }
        }
    }

    /// Parses a single-line literal string, starting at its opening apostrophe.
    mutating func parseLiteralString() throws(TOMLError) -> String {
        let start = position
        position += 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == TOMLByte.apostrophe {
                position += 1
                return String(decoding: bytes[(start + 1)..<(position - 1)], as: UTF8.self)
            }
            if byte == TOMLByte.lineFeed || byte == TOMLByte.carriageReturn {
                throw error("unterminated string: a literal string must end with \"'\" on the same line", at: position)
            }
            if TOMLByte.isForbiddenControl(byte) {
                throw controlCharacterError(at: position, in: "a literal string")
            }
            position += 1
        }
        throw error("unterminated string: expected \"'\" before the end of the document", at: start)
    }

    /// Parses a multi-line basic string, starting at its opening `"""`.
    ///
    /// A newline right after the opening delimiter is dropped, `\r\n` is read as `\n`, and a backslash at the end
    /// of a line removes the line break and the whitespace that follows it.
    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        let start = position
        position += 3
        _ = try consumeNewline()
        var output: [UInt8] = []
        while true {
            let runStart = position
            while position < bytes.count, !isSpecialInBasicString(bytes[position]) {
                position += 1
            }
            output.append(contentsOf: bytes[runStart..<position])
            guard position < bytes.count else {
                throw error("unterminated string: expected '\"\"\"' before the end of the document", at: start)
            }
            switch bytes[position] {
            case TOMLByte.quote:
                if try consumeQuotes(TOMLByte.quote, into: &output) {
                    return String(decoding: output, as: UTF8.self)
                }
            case TOMLByte.backslash:
                if try !skipLineEndingBackslash() {
                    try parseEscape(into: &output)
                }
            case TOMLByte.lineFeed, TOMLByte.carriageReturn:
                _ = try consumeNewline()
                output.append(TOMLByte.lineFeed)
            default:
                throw controlCharacterError(at: position, in: "a string")
            }
        }
    }

    /// Parses a multi-line literal string, starting at its opening `'''`.
    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        let start = position
        position += 3
        _ = try consumeNewline()
        var output: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case TOMLByte.apostrophe:
                if try consumeQuotes(TOMLByte.apostrophe, into: &output) {
                    return String(decoding: output, as: UTF8.self)
                }
            case TOMLByte.lineFeed, TOMLByte.carriageReturn:
                _ = try consumeNewline()
                output.append(TOMLByte.lineFeed)
            default:
                if TOMLByte.isForbiddenControl(byte) {
                    throw controlCharacterError(at: position, in: "a literal string")
                }
                output.append(byte)
                position += 1
            }
        }
        throw error("unterminated string: expected \"'''\" before the end of the document", at: start)
    }

    /// Handles a run of `quote` bytes inside a multi-line string; returns whether the run closed the string.
    ///
    /// Fewer than three quotes are content; three to five close the string, the extra one or two being content.
    private mutating func consumeQuotes(_ quote: UInt8, into output: inout [UInt8]) throws(TOMLError) -> Bool {
        let runStart = position
        while position < bytes.count, bytes[position] == quote {
            position += 1
        }
        let count = position - runStart
        guard count >= 3 else {
            output.append(contentsOf: repeatElement(quote, count: count))
            return false
        }
        guard count <= 5 else {
            throw error(
                "too many quotes: at most two may directly precede the closing delimiter",
                at: runStart + 5)
        }
        output.append(contentsOf: repeatElement(quote, count: count - 3))
        return true
    }

    /// At a backslash in a multi-line basic string: if only whitespace follows it on its line, skips the line
    /// break and all whitespace and line breaks after it, and returns true.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var index = position + 1
        while index < bytes.count, TOMLByte.isWhitespace(bytes[index]) {
            index += 1
        }
        guard index < bytes.count,
            bytes[index] == TOMLByte.lineFeed || bytes[index] == TOMLByte.carriageReturn
        else { return false }
        position = index
        while true {
            skipWhitespace()
            guard try consumeNewline() else { return true }
        }
    }

    /// Parses an escape sequence starting at its backslash and appends the character it stands for.
    private mutating func parseEscape(into output: inout [UInt8]) throws(TOMLError) {
        let start = position
        position += 1
        guard let byte = peek() else {
            throw error("unterminated escape sequence at the end of the document", at: start)
        }
        position += 1
        switch byte {
        case TOMLByte.lowerB: output.append(0x08)
        case TOMLByte.lowerT: output.append(TOMLByte.tab)
        case TOMLByte.lowerN: output.append(TOMLByte.lineFeed)
        case TOMLByte.lowerF: output.append(0x0C)
        case TOMLByte.lowerR: output.append(TOMLByte.carriageReturn)
        case TOMLByte.quote: output.append(TOMLByte.quote)
        case TOMLByte.backslash: output.append(TOMLByte.backslash)
        case TOMLByte.lowerU: try parseUnicodeEscape(digits: 4, start: start, into: &output)
        case TOMLByte.upperU: try parseUnicodeEscape(digits: 8, start: start, into: &output)
        default:
            position = start
            let escape =
                byte < 0x80 && !TOMLByte.isForbiddenControl(byte) && byte != TOMLByte.space
                ? "'\\\(Character(Unicode.Scalar(byte)))'"
                : "'\\' followed by \(describeCharacter(at: start + 1))"
            throw error(
                "invalid escape sequence \(escape); valid escapes are \\b \\t \\n \\f \\r \\\" \\\\ "
                    + "\\uXXXX and \\UXXXXXXXX", at: start)
        }
    }

    /// Parses the hex digits of `\uXXXX` or `\UXXXXXXXX` and appends the scalar as UTF-8.
    private mutating func parseUnicodeEscape(digits: Int, start: Int, into output: inout [UInt8]) throws(TOMLError) {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = peek(), TOMLByte.isHexDigit(byte) else {
                throw error("a \\\(digits == 4 ? "u" : "U") escape needs exactly \(digits) hex digits", at: start)
            }
            value = value << 4 | TOMLByte.hexValue(byte)
            position += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error(
                "escape \\\(digits == 4 ? "u" : "U")\(TOMLParser.hex(value, width: digits)) is not a "
                    + "Unicode scalar value (surrogates and values above 10FFFF are not allowed)", at: start)
        }
        UTF8.encode(scalar) { output.append($0) }
    }

    private func isSpecialInBasicString(_ byte: UInt8) -> Bool {
        byte == TOMLByte.quote || byte == TOMLByte.backslash || TOMLByte.isForbiddenControl(byte)
    }

    private func controlCharacterError(at offset: Int, in context: String) -> TOMLError {
        let hint = context == "a string" ? "; use an escape sequence" : ""
        return error(
            "control character \(describeCharacter(at: offset)) is not allowed in \(context)\(hint)",
            at: offset)
    }
}
