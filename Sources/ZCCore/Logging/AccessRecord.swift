import Glibc

/// One answered HTTP request as the access log keeps it: plain values a request hands to the log without
/// formatting anything (the strings are the request's own, shared, not copied). The log's writer makes the
/// line `event=http.request method=… route=… path=… status=… ms=… bytes=… client=… request_id=…`.
public struct AccessRecord: Sendable {
    /// When the request was answered, in nanoseconds since 1970 (the wall clock).
    public var time: Int64
    public var method: String
    /// The route's pattern (`/api/tenants/{id}`), nil when none matched.
    public var route: String?
    /// The path, never the query (it may hold tokens).
    public var path: String
    public var status: Int
    /// How long the answer took, in nanoseconds.
    public var nanoseconds: Int64
    /// The body's size in bytes, nil for a streamed body.
    public var bytes: Int?
    public var client: String
    public var requestID: String

    public init(
        time: Int64 = AccessRecord.now(), method: String, route: String?, path: String, status: Int,
        nanoseconds: Int64, bytes: Int?, client: String, requestID: String
    ) {
        self.time = time
        self.method = method
        self.route = route
        self.path = path
        self.status = status
        self.nanoseconds = nanoseconds
        self.bytes = bytes
        self.client = client
        self.requestID = requestID
    }

    /// The wall clock in nanoseconds since 1970, read without building a `Date`.
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    static let event = "http.request"

    /// The line's fields in order, as text: what a handler that keeps `LogRecord`s stores.
    public var fields: [(String, String)] {
        [
            ("method", method), ("route", route ?? "-"), ("path", path), ("status", String(status)),
            ("ms", String(decoding: milliseconds, as: UTF8.self)), ("bytes", bytes.map(String.init) ?? "stream"),
            ("client", client), ("request_id", requestID),
        ]
    }

    /// The same line as a `LogRecord` under `label`, after the logger's own `fields`.
    public func logRecord(label: String, fields prefix: [(String, String)]) -> LogRecord {
        let (seconds, rest) = time.quotientAndRemainder(dividingBy: 1_000_000_000)
        return LogRecord(
            time: Timestamp(seconds: seconds), milliseconds: Int(rest / 1_000_000), level: .info, label: label,
            event: Self.event, fields: prefix + fields)
    }

    /// The duration in milliseconds, rounded to hundredths and written as a number is (`0.12`, `1.5`, `3.0`).
    var milliseconds: [UInt8] {
        let hundredths = (max(nanoseconds, 0) + 5_000) / 10_000
        var text: [UInt8] = []
        text.appendDecimal(hundredths / 100)
        text.append(UInt8(ascii: "."))
        let fraction = Int(hundredths % 100)
        text.append(UInt8(48 + fraction / 10))
        if fraction % 10 != 0 { text.append(UInt8(48 + fraction % 10)) }
        return text
    }
}
