import Foundation

/// A point in time with whole-second precision, as every store keeps it (an integer of Unix seconds).
///
/// Whole seconds keep values identical across SQLite and PostgreSQL and across a backup and restore:
/// what is written is exactly what is read back.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    /// The timestamp of `date`, truncated towards the past to a whole second.
    public init(_ date: Date) {
        self.seconds = Int64(date.timeIntervalSince1970.rounded(.down))
    }

    public static func now() -> Timestamp {
        Timestamp(Date())
    }

    public var date: Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    public func adding(seconds delta: Int64) -> Timestamp {
        Timestamp(seconds: seconds + delta)
    }

    /// The start of the UTC hour that holds this timestamp.
    public var startOfHour: Timestamp {
        Timestamp(seconds: seconds - ((seconds % 3600) + 3600) % 3600)
    }

    /// RFC 3339 in UTC, e.g. `2026-11-29T03:04:05Z`.
    public var iso8601: String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    public var description: String { iso8601 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.seconds < rhs.seconds
    }
}

extension Timestamp: Codable {
    /// Encodes as an RFC 3339 string; decodes that form or a number of Unix seconds.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Int64.self) {
            self.init(seconds: seconds)
            return
        }
        let text = try container.decode(String.self)
        guard let parsed = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected an RFC 3339 time such as 2026-01-31T12:00:00Z")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; fractional seconds are truncated.
    public init?(iso8601 text: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) {
            self.init(date)
            return
        }
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { return nil }
        self.init(date)
    }
}
