/// What is wrong within one line (or one selector), before the caller adds where it was.
struct PrometheusSyntaxError: Error {
    let reason: String

    init(_ reason: String) { self.reason = reason }
}

/// A cursor over UTF-8 bytes with the lexical rules of the text format: names, label sets, quoted values.
struct PrometheusScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    var atEnd: Bool { position >= end }

    /// The byte at the cursor; only when not `atEnd`.
    var current: UInt8 { bytes[position] }

    mutating func skipBlanks() {
        while position < end, Self.isBlank(bytes[position]) { position += 1 }
    }

    /// Reads `[a-zA-Z_:][a-zA-Z0-9_:]*` (without `:` for label names); an empty range when none starts here.
    mutating func scanName(allowingColon: Bool) -> Range<Int> {
        let start = position
        while position < end {
            let byte = bytes[position]
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let isOther = byte == UInt8(ascii: "_") || (allowingColon && byte == UInt8(ascii: ":"))
            guard isLetter || isOther || (isDigit && position > start) else { break }
            position += 1
        }
        return start..<position
    }

    /// Reads up to the next blank or the end.
    mutating func scanToken() -> Range<Int> {
        let start = position
        while position < end, !Self.isBlank(bytes[position]) { position += 1 }
        return start..<position
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The bytes of `range` as a quoted snippet for an error message, shortened when long.
    func quoted(_ range: Range<Int>) -> String {
        let shown = range.count > 40 ? range.lowerBound..<(range.lowerBound + 40) : range
        return "'" + text(shown) + (shown.count < range.count ? "…'" : "'")
    }

    /// What is at the cursor, for an error message: `'x'`, `byte 0x07` or `the end of the line`.
    var found: String {
        guard !atEnd else { return "the end of the line" }
        let byte = current
        return byte >= 0x20 && byte < 0x7F
            ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    /// Reads `{name="value",...}` with the cursor on `{`, leaving it after `}`; a trailing comma and blanks
    /// between the tokens are allowed.
    mutating func readLabels(
        into labels: inout [String: String], scratch: inout [UInt8]
    ) throws(PrometheusSyntaxError) {
        position += 1
        while true {
            skipBlanks()
            guard !atEnd else { throw PrometheusSyntaxError("the label set is not closed: '}' is missing") }
            if current == UInt8(ascii: "}") {
                position += 1
                return
            }
            let nameRange = scanName(allowingColon: false)
            guard !nameRange.isEmpty else {
                throw PrometheusSyntaxError(
                    "expected a label name ([a-zA-Z_][a-zA-Z0-9_]*) or '}' in the label set, found \(found)")
            }
            let name = text(nameRange)
            skipBlanks()
            try expectEquals(after: name)
            skipBlanks()
            guard !atEnd, current == UInt8(ascii: "\"") else {
                throw PrometheusSyntaxError("expected '\"' to open the value of label \"\(name)\", found \(found)")
            }
            let value = try readQuotedValue(of: name, scratch: &scratch)
            guard name != "__name__" else {
                throw PrometheusSyntaxError("label name \"__name__\" is reserved for the metric name")
            }
            guard labels.updateValue(value, forKey: name) == nil else {
                throw PrometheusSyntaxError("label \"\(name)\" appears twice in one label set")
            }
            skipBlanks()
            guard !atEnd else { throw PrometheusSyntaxError("the label set is not closed: '}' is missing") }
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return
            default:
                throw PrometheusSyntaxError(
                    "expected ',' or '}' after the value of label \"\(name)\", found \(found)")
            }
        }
    }

    private mutating func expectEquals(after name: String) throws(PrometheusSyntaxError) {
        let next = position + 1 < end ? bytes[position + 1] : 0
        if !atEnd, current == UInt8(ascii: "="), next != UInt8(ascii: "~") {
            position += 1
            return
        }
        if !atEnd, current == UInt8(ascii: "!") || current == UInt8(ascii: "=") {
            let matcher = current == UInt8(ascii: "=") ? "=~" : (next == UInt8(ascii: "~") ? "!~" : "!=")
            throw PrometheusSyntaxError(
                "label \"\(name)\" uses the matcher '\(matcher)'; only '=' with a quoted value is allowed")
        }
        throw PrometheusSyntaxError("expected '=' after label name \"\(name)\", found \(found)")
    }

    /// Reads a double-quoted value with the cursor on the opening quote, unescaping `\\`, `\"` and `\n`.
    mutating func readQuotedValue(of label: String, scratch: inout [UInt8]) throws(PrometheusSyntaxError) -> String {
        position += 1
        let start = position
        while position < end, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
            position += 1
        }
        if position < end, bytes[position] == UInt8(ascii: "\"") {
            position += 1
            return try Self.validated(UnsafeBufferPointer(rebasing: bytes[start..<(position - 1)]), label: label)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return try scratch.withUnsafeBufferPointer { buffer throws(PrometheusSyntaxError) in
                    try Self.validated(buffer, label: label)
                }
            }
            guard byte == UInt8(ascii: "\\") else {
                scratch.append(byte)
                position += 1
                continue
            }
            guard position + 1 < end else { break }
            switch bytes[position + 1] {
            case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case let byte:
                throw PrometheusSyntaxError(
                    "invalid escape sequence \(Self.escapeSequence(byte)) in the value of label \"\(label)\" "
                        + #"(only \\, \" and \n are allowed)"#)
            }
            position += 2
        }
        throw PrometheusSyntaxError(
            "the value of label \"\(label)\" is not terminated: its closing '\"' is missing before the end of the line")
    }

    private static func validated(
        _ buffer: UnsafeBufferPointer<UInt8>, label: String
    ) throws(PrometheusSyntaxError) -> String {
        guard let value = String(validating: buffer, as: UTF8.self) else {
            throw PrometheusSyntaxError("the value of label \"\(label)\" is not valid UTF-8")
        }
        return value
    }

    /// `'\t'`, or `'\' followed by byte 0x07` when the byte is not printable ASCII.
    static func escapeSequence(_ byte: UInt8) -> String {
        guard byte >= 0x21, byte < 0x7F else { return "'\\' followed by byte 0x\(String(byte, radix: 16))" }
        return "'\\\(Character(Unicode.Scalar(byte)))'"
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
