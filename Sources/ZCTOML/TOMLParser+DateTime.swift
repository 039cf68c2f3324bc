/// RFC 3339 dates and times as TOML writes them: offset and local date-times, local dates and local times.
extension TOMLParser {
    /// Parses a value starting with a full date: a local date, a local date-time or an offset date-time.
    mutating func parseDateTime() throws(TOMLError) -> TOMLValue {
        let date = try parseDate()
        guard let separator = peek() else { return .localDate(date) }
        let isTimeSeparator =
            separator == TOMLByte.upperT || separator == TOMLByte.lowerT
            || (separator == TOMLByte.space && peek(1).map(TOMLByte.isDigit) == true)
        guard isTimeSeparator else { return .localDate(date) }
        position += 1
        let time = try parseTime()
        let offsetStart = position
        let offsetMinutes: Int
        switch peek() {
        case TOMLByte.upperZ?, TOMLByte.lowerZ?:
            position += 1
            offsetMinutes = 0
        case TOMLByte.plus?, TOMLByte.minus?:
            let negative = peek() == TOMLByte.minus
            position += 1
            let hours = try parseFixedDigits(2, what: "the offset hour")
            try expectByte(TOMLByte.colon, what: "':' between the offset hour and minute")
            let minutes = try parseFixedDigits(2, what: "the offset minute")
            guard hours <= 23, minutes <= 59 else {
                throw error("invalid UTC offset: hours must be 00-23 and minutes 00-59", at: offsetStart)
            }
            offsetMinutes = (negative ? -1 : 1) * (hours * 60 + minutes)
        default:
            return .localDateTime(TOMLLocalDateTime(date: date, time: time))
        }
        guard let value = TOMLOffsetDateTime(date: date, time: time, offsetMinutes: offsetMinutes) else {
            throw error("invalid UTC offset", at: offsetStart)
        }
        return .offsetDateTime(value)
    }

    /// Parses `YYYY-MM-DD`, checking that the day exists.
    mutating func parseDate() throws(TOMLError) -> TOMLLocalDate {
        let start = position
        let year = try parseFixedDigits(4, what: "the year")
        try expectByte(TOMLByte.minus, what: "'-' after the year")
        let month = try parseFixedDigits(2, what: "the month")
        try expectByte(TOMLByte.minus, what: "'-' after the month")
        let day = try parseFixedDigits(2, what: "the day")
        guard (1...12).contains(month) else {
            throw error("invalid date: month must be 01-12", at: start)
        }
        guard let date = TOMLLocalDate(year: year, month: month, day: day) else {
            let limit = TOMLLocalDate.daysIn(month: month, year: year)
            throw error(
                "invalid date: day must be 01-\(limit) for \(TOMLLocalDate.pad(year, 4))-"
                    + TOMLLocalDate.pad(month, 2), at: start)
        }
        return date
    }

    /// Parses `HH:MM:SS` with optional fractional seconds of any precision.
    mutating func parseTime() throws(TOMLError) -> TOMLLocalTime {
        let start = position
        let hour = try parseFixedDigits(2, what: "the hour")
        try expectByte(TOMLByte.colon, what: "':' after the hour")
        let minute = try parseFixedDigits(2, what: "the minute")
        guard peek() == TOMLByte.colon else {
            throw unexpected(expecting: "':' and seconds after the minute (TOML 1.0 requires seconds)")
        }
        position += 1
        let second = try parseFixedDigits(2, what: "the second")
        var fraction = ""
        if peek() == TOMLByte.dot {
            position += 1
            let fractionStart = position
            while let byte = peek(), TOMLByte.isDigit(byte) {
                position += 1
            }
            guard position > fractionStart else {
                throw unexpected(expecting: "digits after the decimal point of the seconds")
            }
            fraction = String(decoding: bytes[fractionStart..<position], as: UTF8.self)
        }
        guard hour <= 23, minute <= 59, second <= 60,
            let time = TOMLLocalTime(hour: hour, minute: minute, second: second, fraction: fraction)
        else {
            throw error("invalid time: hour must be 00-23, minute 00-59 and second 00-60", at: start)
        }
        return time
    }

    /// Reads exactly `count` decimal digits.
    private mutating func parseFixedDigits(_ count: Int, what: String) throws(TOMLError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let byte = peek(), TOMLByte.isDigit(byte) else {
                throw unexpected(expecting: "\(count) digits for \(what)")
            }
            value = value * 10 + Int(byte - TOMLByte.zero)
            position += 1
        }
        return value
    }

    private mutating func expectByte(_ byte: UInt8, what: String) throws(TOMLError) {
        guard peek() == byte else { throw unexpected(expecting: what) }
        position += 1
    }

    /// Parses `text` as exactly one date/time value, or returns `nil`.
    static func parseDateTimeLiteral(_ text: String) -> TOMLValue? {
        var parser = TOMLParser(bytes: Array(text.utf8))
        guard parser.contentStart == 0, let first = parser.peek(), TOMLByte.isDigit(first) else { return nil }
        do {
            let value = try parser.parseNumberOrDateTime()
            guard parser.position == parser.bytes.count else { return nil }
            switch value {
            case .offsetDateTime, .localDateTime, .localDate, .localTime: return value
            default: return nil
            }
        } catch {
            return nil
        }
    }
}
