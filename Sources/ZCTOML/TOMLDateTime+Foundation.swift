import Foundation

/// Bridging between TOML offset date-times and Foundation's `Date`.
extension TOMLOffsetDateTime {
    /// The instant as a Foundation `Date` (precision beyond what a `Double` holds is lost).
    public var foundationDate: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanosecond) / 1_000_000_000)
    }

    /// The instant `date` as read on a clock at `offsetMinutes` east of UTC, to the microsecond.
    ///
    /// Returns `nil` when the offset is not within ±23:59 or the result falls outside years 0...9999.
    public init?(_ date: Date, offsetMinutes: Int = 0) {
        guard (-1439...1439).contains(offsetMinutes) else { return nil }
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        // Years 0...9999 span roughly ±2.6e17 µs around 1970; refuse anything beyond before converting.
        guard micros.isFinite, abs(micros) < 4e17 else { return nil }
        let local = Int64(micros) + Int64(offsetMinutes) * 60_000_000
        let microsPerDay: Int64 = 86_400_000_000
        var days = local / microsPerDay
        var remainder = local % microsPerDay
        if remainder < 0 {
            remainder += microsPerDay
            days -= 1
        }
        let civil = TOMLOffsetDateTime.civilFromDays(Int(days))
        let seconds = Int(remainder / 1_000_000)
        let fraction = Int(remainder % 1_000_000) * 1000
        guard let day = TOMLLocalDate(year: civil.year, month: civil.month, day: civil.day),
            let time = TOMLLocalTime(
                hour: seconds / 3600, minute: seconds % 3600 / 60, second: seconds % 60, nanosecond: fraction)
        else { return nil }
        self.init(date: day, time: time, offsetMinutes: offsetMinutes)
    }
}
