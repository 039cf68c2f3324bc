/// Sample values and timestamps, read as Prometheus reads them (Go's `strconv.ParseFloat` without hexadecimal
/// floats or `_` separators, and `strconv.ParseInt` in base 10).
extension PrometheusScanner {
    /// `[+-]?(digits[.digits]|.digits)([eE][+-]?digits)?`, or `NaN`, `Inf`, `+Inf`, `-Inf`, `Infinity` in any case.
    func parseValue(_ range: Range<Int>, of metric: String) throws(PrometheusSyntaxError) -> Double {
        func invalid() -> PrometheusSyntaxError {
            PrometheusSyntaxError(
                "the value \(quoted(range)) of \(metric) is not a number (expected e.g. 42, -1.5e3, NaN, +Inf or -Inf)")
        }
        var index = range.lowerBound
        let end = range.upperBound
        var negative = false
        var signed = false
        if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            signed = true
            index += 1
        }
        if index < end, (bytes[index] | 0x20) == UInt8(ascii: "i") || (bytes[index] | 0x20) == UInt8(ascii: "n") {
            let word = UnsafeBufferPointer(rebasing: bytes[index..<end])
            if Self.equalsIgnoringCase(word, "inf") || Self.equalsIgnoringCase(word, "infinity") {
                return negative ? -.infinity : .infinity
            }
            if !signed, Self.equalsIgnoringCase(word, "nan") { return .nan }
            throw invalid()
        }
        var mantissa: UInt64 = 0
        var exact = true
        var digits = 0
        var fractionDigits = 0
        var inFraction = false
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "."), !inFraction {
                inFraction = true
            } else if let digit = Self.digit(byte) {
                digits += 1
                if inFraction { fractionDigits += 1 }
                if mantissa <= ((1 << 53) - 9) / 10 {
                    mantissa = mantissa * 10 + UInt64(digit)
                } else {
                    exact = false
                }
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { throw invalid() }
        var exponent = 0
        if index < end, (bytes[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end else { throw invalid() }
            while index < end, let digit = Self.digit(bytes[index]) {
                exponent = min(exponent * 10 + digit, 100_000)
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard index == end else { throw invalid() }
        let power = exponent - fractionDigits
        if exact, (-22...22).contains(power) {
            // Both operands are exact, so one IEEE operation rounds correctly (Clinger's fast path).
            let magnitude =
                power < 0 ? Double(mantissa) / Self.powersOfTen[-power] : Double(mantissa) * Self.powersOfTen[power]
            return negative ? -magnitude : magnitude
        }
        guard let value = Double(text(range)) else { throw invalid() }
        guard value.isFinite else {
            throw PrometheusSyntaxError("the value \(quoted(range)) of \(metric) is out of the range of a 64-bit float")
        }
        return value
    }

    /// A base-10 `Int64` with an optional sign: milliseconds since the Unix epoch.
    func parseTimestamp(_ range: Range<Int>, of metric: String) throws(PrometheusSyntaxError) -> Int64 {
        func invalid() -> PrometheusSyntaxError {
            PrometheusSyntaxError(
                "the timestamp \(quoted(range)) of \(metric) is not a whole number of milliseconds (a 64-bit integer)")
        }
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < range.upperBound else { throw invalid() }
        var result: Int64 = 0
        while index < range.upperBound {
            guard let digit = Self.digit(bytes[index]) else { throw invalid() }
            let (shifted, overflowA) = result.multipliedReportingOverflow(by: 10)
            let (next, overflowB) =
                negative
                ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            guard !overflowA, !overflowB else { throw invalid() }
            result = next
            index += 1
        }
        return result
    }

    static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// Whether `bytes` spell `word` (lowercase ASCII) in any case.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard bytes.count == word.utf8CodeUnitCount else { return false }
        let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        return zip(bytes, letters).allSatisfy { ($0 | 0x20) == $1 }
    }

    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]
}
