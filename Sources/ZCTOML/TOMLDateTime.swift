/// A calendar date with no time of day and no offset, as in TOML's local date (`1979-05-27`).
///
/// The components are validated on creation: year 0...9999, month 1...12 and a day that exists in that month
/// (leap years included).
public struct TOMLLocalDate: Sendable, Hashable, Comparable, LosslessStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or returns `nil` when the components don't name a real day between years 0 and 9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (0...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= TOMLLocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses an RFC 3339 full-date such as `1979-05-27`.
    public init?(_ description: String) {
        guard case .localDate(let value)? = TOMLParser.parseDateTimeLiteral(description) else { return nil }
        self = value
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        TOMLLocalDate.pad(year, 4) + "-" + TOMLLocalDate.pad(month, 2) + "-" + TOMLLocalDate.pad(day, 2)
    }

    public static func < (lhs: TOMLLocalDate, rhs: TOMLLocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Whether `year` is a leap year in the proleptic Gregorian calendar.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in `month` (1...12) of `year`; 0 for an invalid month.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeapYear(year) ? 29 : 28
        default: return 0
        }
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A time of day with no date and no offset, as in TOML's local time (`07:32:00.999`).
///
/// Fractional seconds are kept exactly as written (`fraction` holds the digits after the dot, any precision), so
/// values round-trip unchanged; equality and hashing ignore trailing zeros, so `00:00:01.5 == 00:00:01.500`.
public struct TOMLLocalTime: Sendable, Hashable, Comparable, LosslessStringConvertible {
    public let hour: Int
    public let minute: Int
    /// 0...60 (60 allows a leap second, as RFC 3339 does).
    public let second: Int
    /// The decimal digits of the fractional second, without the dot; empty when there is none.
    public let fraction: String

    /// Creates a time from whole components and nanoseconds, or `nil` when a component is out of range.
    public init?(hour: Int, minute: Int, second: Int, nanosecond: Int = 0) {
        guard (0...999_999_999).contains(nanosecond) else { return nil }
        var digits = nanosecond == 0 ? "" : TOMLLocalDate.pad(nanosecond, 9)
        while digits.hasSuffix("0") { digits.removeLast() }
        self.init(hour: hour, minute: minute, second: second, fraction: digits)
    }

    /// Creates a time whose fractional second is given as its decimal digits (`"5"` for .5, `"000001"` for 1µs).
    public init?(hour: Int, minute: Int, second: Int, fraction: String) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            fraction.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        self.hour = hour
        self.minute = minute
        self.second = second
        self.fraction = fraction
    }

    /// Parses an RFC 3339 partial-time such as `07:32:00` or `00:32:00.999999`.
    public init?(_ description: String) {
        guard case .localTime(let value)? = TOMLParser.parseDateTimeLiteral(description) else { return nil }
        self = value
    }

    /// The fractional second in nanoseconds (digits beyond the ninth are truncated).
    public var nanosecond: Int {
        var result = 0
        var scale = 100_000_000
        for byte in fraction.utf8.prefix(9) {
            result += Int(byte - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return result
    }

    /// `HH:MM:SS` followed by `.fraction` when there is one.
    public var description: String {
        let base = TOMLLocalDate.pad(hour, 2) + ":" + TOMLLocalDate.pad(minute, 2) + ":" + TOMLLocalDate.pad(second, 2)
        return fraction.isEmpty ? base : base + "." + fraction
    }

    /// The fraction with trailing zeros removed: the form equality compares.
    var normalizedFraction: Substring {
        var end = fraction.endIndex
        while end > fraction.startIndex {
            let previous = fraction.index(before: end)
            guard fraction[previous] == "0" else { break }
            end = previous
        }
        return fraction[fraction.startIndex..<end]
    }

    public static func == (lhs: TOMLLocalTime, rhs: TOMLLocalTime) -> Bool {
        lhs.hour == rhs.hour && lhs.minute == rhs.minute && lhs.second == rhs.second
            && lhs.normalizedFraction == rhs.normalizedFraction
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hour)
        hasher.combine(minute)
        hasher.combine(second)
        hasher.combine(normalizedFraction)
    }

    public static func < (lhs: TOMLLocalTime, rhs: TOMLLocalTime) -> Bool {
        if (lhs.hour, lhs.minute, lhs.second) != (rhs.hour, rhs.minute, rhs.second) {
            return (lhs.hour, lhs.minute, lhs.second) < (rhs.hour, rhs.minute, rhs.second)
        }
        // Equal-length digit strings compare like the numbers they spell.
        let width = max(lhs.normalizedFraction.count, rhs.normalizedFraction.count)
        let left = lhs.normalizedFraction + String(repeating: "0", count: width - lhs.normalizedFraction.count)
        let right = rhs.normalizedFraction + String(repeating: "0", count: width - rhs.normalizedFraction.count)
        return left < right
    }
}

/// A date and time of day with no offset, as in TOML's local date-time (`1979-05-27T07:32:00`).
public struct TOMLLocalDateTime: Sendable, Hashable, Comparable, LosslessStringConvertible {
    public let date: TOMLLocalDate
    public let time: TOMLLocalTime

    public init(date: TOMLLocalDate, time: TOMLLocalTime) {
        self.date = date
        self.time = time
    }

    /// Parses an RFC 3339 local date-time such as `1979-05-27T07:32:00` (a space or `t` separator is accepted).
    public init?(_ description: String) {
        guard case .localDateTime(let value)? = TOMLParser.parseDateTimeLiteral(description) else { return nil }
        self = value
    }

    public var year: Int { date.year }
    public var month: Int { date.month }
    public var day: Int { date.day }
    public var hour: Int { time.hour }
    public var minute: Int { time.minute }
    public var second: Int { time.second }
    public var nanosecond: Int { time.nanosecond }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]`.
    public var description: String { "\(date)T\(time)" }

    public static func < (lhs: TOMLLocalDateTime, rhs: TOMLLocalDateTime) -> Bool {
        lhs.date != rhs.date ? lhs.date < rhs.date : lhs.time < rhs.time
    }
}

/// A date and time of day at a fixed UTC offset, as in TOML's offset date-time (`1979-05-27T07:32:00-07:00`).
///
/// Components are kept as written (equality compares components, not instants: `12:00Z` differs from
/// `13:00+01:00`); use `instantEquals(_:)` or `foundationDate` to compare points in time.
public struct TOMLOffsetDateTime: Sendable, Hashable, LosslessStringConvertible {
    public let date: TOMLLocalDate
    public let time: TOMLLocalTime
    /// Minutes east of UTC, -1439...1439; 0 for `Z`.
    public let offsetMinutes: Int

    /// Creates a date-time, or `nil` when the offset is not within ±23:59.
    public init?(date: TOMLLocalDate, time: TOMLLocalTime, offsetMinutes: Int) {
        guard (-1439...1439).contains(offsetMinutes) else { return nil }
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// Parses an RFC 3339 date-time such as `1979-05-27T07:32:00Z` or `1979-05-27 00:32:00.999-07:00`.
    public init?(_ description: String) {
        guard case .offsetDateTime(let value)? = TOMLParser.parseDateTimeLiteral(description) else { return nil }
        self = value
    }

    public var year: Int { date.year }
    public var month: Int { date.month }
    public var day: Int { date.day }
    public var hour: Int { time.hour }
    public var minute: Int { time.minute }
    public var second: Int { time.second }
    public var nanosecond: Int { time.nanosecond }

    /// The same wall-clock reading without its offset.
    public var localDateTime: TOMLLocalDateTime { TOMLLocalDateTime(date: date, time: time) }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` for a zero offset or `±HH:MM`.
    public var description: String {
        "\(date)T\(time)\(offsetDescription)"
    }

    /// `Z` or `±HH:MM`.
    public var offsetDescription: String {
        guard offsetMinutes != 0 else { return "Z" }
        let magnitude = abs(offsetMinutes)
        let sign = offsetMinutes < 0 ? "-" : "+"
        return sign + TOMLLocalDate.pad(magnitude / 60, 2) + ":" + TOMLLocalDate.pad(magnitude % 60, 2)
    }

    /// Seconds since 1970-01-01T00:00:00Z, ignoring the fractional second.
    public var secondsSinceEpoch: Int64 {
        let days = Int64(TOMLOffsetDateTime.daysFromCivil(year: date.year, month: date.month, day: date.day))
        let clock = Int64(time.hour * 3600 + time.minute * 60 + time.second)
        return days * 86_400 + clock - Int64(offsetMinutes * 60)
    }

    /// Whether both values denote the same instant (offsets applied, fractions compared exactly).
    public func instantEquals(_ other: TOMLOffsetDateTime) -> Bool {
        secondsSinceEpoch == other.secondsSinceEpoch && time.normalizedFraction == other.time.normalizedFraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
