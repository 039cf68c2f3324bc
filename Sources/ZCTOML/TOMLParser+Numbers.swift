/// Integers (decimal, `0x`, `0o`, `0b`) and floats (including `inf` and `nan`).
extension TOMLParser {
    /// Parses a number, or a date/time when the text starts like one (`1979-` or `07:`).
    mutating func parseNumberOrDateTime() throws(TOMLError) -> TOMLValue {
        let start = position
        if startsWithDigits(4, then: TOMLByte.minus) {
            return try parseDateTime()
        }
        if startsWithDigits(2, then: TOMLByte.colon) {
            return .localTime(try parseTime())
        }
        var end = start
        while end < bytes.count, isNumberByte(bytes[end]) {
            end += 1
        }
        position = end
        return try parseNumber(from: start, to: end)
    }

    /// Whether the text at the current position is `count` digits followed by `separator`.
    private func startsWithDigits(_ count: Int, then separator: UInt8) -> Bool {
        guard position + count < bytes.count, bytes[position + count] == separator else { return false }
        return bytes[position..<(position + count)].allSatisfy(TOMLByte.isDigit)
    }

    /// Bytes that can be part of a number token; the token is then checked against the grammar.
    private func isNumberByte(_ byte: UInt8) -> Bool {
        TOMLByte.isBareKeyByte(byte) || byte == TOMLByte.plus || byte == TOMLByte.dot
    }

    /// Parses the number spelled by `bytes[start..<end]`.
    private func parseNumber(from start: Int, to end: Int) throws(TOMLError) -> TOMLValue {
        var cursor = start
        var negative = false
        var signText = ""
        if bytes[cursor] == TOMLByte.plus || bytes[cursor] == TOMLByte.minus {
            negative = bytes[cursor] == TOMLByte.minus
            signText = negative ? "-" : ""
            cursor += 1
        }
        let unsigned = bytes[cursor..<end]
        if unsigned.elementsEqual("inf".utf8) {
            return .float(negative ? -Double.infinity : Double.infinity)
        }
        if unsigned.elementsEqual("nan".utf8) {
            return .float(negative ? -Double.nan : Double.nan)
        }
        if unsigned.count >= 2, unsigned.first == TOMLByte.zero, let radix = radixPrefix(bytes[cursor + 1]) {
            guard cursor == start else {
                throw error("a sign is not allowed on \(radix.name) integers", at: start)
            }
            return .integer(try parseRadixInteger(from: cursor + 2, to: end, radix: radix))
        }

        let integerPart = try scanDigits(&cursor, end: end, what: "a digit", isDigit: TOMLByte.isDigit)
        if integerPart.count > 1 && integerPart.first == TOMLByte.zero {
            throw error("leading zeros are not allowed in numbers", at: start)
        }
        var floatText = signText + String(decoding: integerPart, as: UTF8.self)
        var isFloat = false
        if cursor < end, bytes[cursor] == TOMLByte.dot {
            cursor += 1
            let fraction = try scanDigits(
                &cursor, end: end, what: "a digit after the decimal point", isDigit: TOMLByte.isDigit)
            floatText += "." + String(decoding: fraction, as: UTF8.self)
            isFloat = true
        }
        if cursor < end, bytes[cursor] == TOMLByte.lowerE || bytes[cursor] == TOMLByte.upperE {
            cursor += 1
            floatText += "e"
            if cursor < end, bytes[cursor] == TOMLByte.plus || bytes[cursor] == TOMLByte.minus {
                floatText += bytes[cursor] == TOMLByte.minus ? "-" : "+"
                cursor += 1
            }
            let exponent = try scanDigits(&cursor, end: end, what: "a digit in the exponent", isDigit: TOMLByte.isDigit)
            floatText += String(decoding: exponent, as: UTF8.self)
            isFloat = true
        }
        guard cursor == end else {
            throw error("invalid character \(describeCharacter(at: cursor)) in a number", at: cursor)
        }
        if isFloat {
            guard let value = Double(floatText) else { throw error("invalid float", at: start) }
            return .float(value)
        }
        guard let value = TOMLParser.integer(digits: integerPart, radix: 10, negative: negative) else {
            let text = signText + String(decoding: integerPart, as: UTF8.self)
            throw error("integer \(text) is out of range for a 64-bit signed integer", at: start)
        }
        return .integer(value)
    }

    /// The base, names and digit set of a prefixed (`0x`, `0o`, `0b`) integer.
    private struct Radix {
        let base: UInt64
        /// `hexadecimal`, `octal` or `binary`.
        let name: String
        /// The name with its indefinite article, e.g. `an octal`.
        let article: String
        let isDigit: (UInt8) -> Bool
    }

    private func radixPrefix(_ byte: UInt8) -> Radix? {
        switch byte {
        case TOMLByte.lowerX:
            return Radix(base: 16, name: "hexadecimal", article: "a hexadecimal", isDigit: TOMLByte.isHexDigit)
        case TOMLByte.lowerO:
            return Radix(base: 8, name: "octal", article: "an octal", isDigit: { $0 >= TOMLByte.zero && $0 <= 0x37 })
        case TOMLByte.lowerB:
            return Radix(base: 2, name: "binary", article: "a binary", isDigit: { $0 == TOMLByte.zero || $0 == 0x31 })
        default: return nil
        }
    }

    private func parseRadixInteger(from start: Int, to end: Int, radix: Radix) throws(TOMLError) -> Int64 {
        var cursor = start
        let digits = try scanDigits(&cursor, end: end, what: "\(radix.article) digit", isDigit: radix.isDigit)
        guard cursor == end else {
            throw error("invalid character \(describeCharacter(at: cursor)) in \(radix.article) integer", at: cursor)
        }
        guard let value = TOMLParser.integer(digits: digits, radix: radix.base, negative: false) else {
            throw error("\(radix.name) integer is out of range for a 64-bit signed integer", at: start - 2)
        }
        return value
    }

    /// Reads one or more digits with single underscores allowed between them; returns the digits.
    private func scanDigits(
        _ cursor: inout Int, end: Int, what: String, isDigit: (UInt8) -> Bool
    ) throws(TOMLError)
        -> [UInt8]
    {
        guard cursor < end, isDigit(bytes[cursor]) else {
            throw error("expected \(what) but found \(describeCharacter(at: cursor))", at: cursor)
        }
        var digits: [UInt8] = [bytes[cursor]]
        cursor += 1
        while cursor < end {
            let byte = bytes[cursor]
            if isDigit(byte) {
                digits.append(byte)
                cursor += 1
            } else if byte == TOMLByte.underscore {
                guard cursor + 1 < end, isDigit(bytes[cursor + 1]) else {
                    throw error("an underscore in a number must be between two digits", at: cursor)
                }
                cursor += 1
            } else {
                break
            }
        }
        return digits
    }

    /// The signed 64-bit value of `digits` in `radix`, or `nil` on overflow.
    static func integer(digits: [UInt8], radix: UInt64, negative: Bool) -> Int64? {
        var magnitude: UInt64 = 0
        for digit in digits {
            let (shifted, overflow) = magnitude.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(UInt64(TOMLByte.hexValue(digit)))
            guard !overflow, !carry else { return nil }
            magnitude = sum
        }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
