import Foundation

/// How a record becomes a line: logfmt (`key=value`) for people, JSON for log shippers.
public enum LogFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case logfmt
    case json

    public func render(_ record: LogRecord) -> String {
        var bytes: [UInt8] = []
        var times = LogTimeCache()
        render(record, into: &bytes, times: &times)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the record's line (without the newline) to `bytes`. Works on bytes, with the time's
    /// text kept from one record to the next in `times`, so a writer rendering many records of the
    /// same second formats the date once.
    public func render(_ record: LogRecord, into bytes: inout [UInt8], times: inout LogTimeCache) {
        var line = LineWriter(format: self)
        line.begin(record.time, milliseconds: record.milliseconds, level: record.level, into: &bytes, times: &times)
        line.pair("logger", record.label, into: &bytes)
        line.pair("event", record.event, into: &bytes)
        for (key, value) in record.fields { line.pair(key, value, into: &bytes) }
        line.end(into: &bytes)
    }

    /// Appends an access record's line, the same text as its `logRecord(label:fields:)` renders to, without
    /// building that record: numbers are written as digits, nothing is allocated per field.
    public func render(
        _ access: AccessRecord, label: String, fields: [(String, String)], into bytes: inout [UInt8],
        times: inout LogTimeCache
    ) {
        var line = LineWriter(format: self)
        let (seconds, rest) = access.time.quotientAndRemainder(dividingBy: 1_000_000_000)
        line.begin(
            Timestamp(seconds: seconds), milliseconds: Int(rest / 1_000_000), level: .info, into: &bytes,
            times: &times)
        line.pair("logger", label, into: &bytes)
        line.pair("event", AccessRecord.event, into: &bytes)
        for (key, value) in fields { line.pair(key, value, into: &bytes) }
        line.pair("method", access.method, into: &bytes)
        line.pair("route", access.route ?? "-", into: &bytes)
        line.pair("path", access.path, into: &bytes)
        line.plain("status", into: &bytes) { $0.appendDecimal(access.status) }
        line.plain("ms", into: &bytes) { $0.append(contentsOf: access.milliseconds) }
        if let size = access.bytes {
            line.plain("bytes", into: &bytes) { $0.appendDecimal(size) }
        } else {
            line.pair("bytes", "stream", into: &bytes)
        }
        line.pair("client", access.client, into: &bytes)
        line.pair("request_id", access.requestID, into: &bytes)
        line.end(into: &bytes)
    }

    /// Writes the value as is, or quoted as a JSON string when it is empty or holds spaces, quotes, `=`
    /// or control characters.
    static func appendLogfmtValue(_ value: String, to bytes: inout [UInt8]) {
        // One pass over the string's own bytes, then one copy (most values need no quotes).
        var value = value
        let copied = value.withUTF8 { text -> Bool in
            guard !text.isEmpty,
                !text.contains(where: {
                    $0 == 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 < 0x20
                })
            else { return false }
            bytes.append(contentsOf: text)
            return true
        }
        if !copied { appendJSONString(value, to: &bytes) }
    }

    /// `text`'s bytes, copied from its own storage.
    static func appendUTF8(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    static func appendJSONString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, byte])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: [
                    0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0xF),
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 48 + nibble : 87 + nibble }
}

/// One line being written: the time first (it needs no quoting in either format), then `key=value` pairs
/// (logfmt) or the members of one JSON object whose values are all strings.
struct LineWriter {
    let format: LogFormat
    private var first = true

    init(format: LogFormat) {
        self.format = format
    }

    mutating func begin(
        _ time: Timestamp, milliseconds: Int, level: LogLevel, into bytes: inout [UInt8], times: inout LogTimeCache
    ) {
        switch format {
        case .logfmt: bytes.append(contentsOf: "time=".utf8)
        case .json: bytes.append(contentsOf: #"{"time":""#.utf8)
        }
        times.append(time, milliseconds: milliseconds, to: &bytes)
        if format == .json { bytes.append(UInt8(ascii: "\"")) }
        first = false
        pair("level", level.rawValue, into: &bytes)
    }

    mutating func pair(_ key: String, _ value: String, into bytes: inout [UInt8]) {
        separate(key, into: &bytes)
        switch format {
        case .logfmt: LogFormat.appendLogfmtValue(value, to: &bytes)
        case .json: LogFormat.appendJSONString(value, to: &bytes)
        }
    }

    /// A value that needs no quoting or escaping in either format (digits, a dot), appended by `value`.
    mutating func plain(_ key: String, into bytes: inout [UInt8], _ value: (inout [UInt8]) -> Void) {
        separate(key, into: &bytes)
        if format == .json { bytes.append(UInt8(ascii: "\"")) }
        value(&bytes)
        if format == .json { bytes.append(UInt8(ascii: "\"")) }
    }

    func end(into bytes: inout [UInt8]) {
        if format == .json { bytes.append(UInt8(ascii: "}")) }
    }

    private mutating func separate(_ key: String, into bytes: inout [UInt8]) {
        switch format {
        case .logfmt:
            if !first { bytes.append(0x20) }
            LogFormat.appendUTF8(key, to: &bytes)
            bytes.append(UInt8(ascii: "="))
        case .json:
            bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            LogFormat.appendJSONString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
        first = false
    }
}

/// The text of the last second rendered (`2026-12-01T10:00:00`), so that records of the same second
/// format their date once.
public struct LogTimeCache: Sendable {
    private var second: Int64 = .min
    private var text: [UInt8] = []

    public init() {}

    /// Appends `2026-12-01T10:00:00.123Z`.
    mutating func append(_ time: Timestamp, milliseconds: Int, to bytes: inout [UInt8]) {
        if time.seconds != second {
            second = time.seconds
            text = Array(time.iso8601.utf8.dropLast())
        }
        bytes.append(contentsOf: text)
        let milliseconds = min(max(milliseconds, 0), 999)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(48 + milliseconds / 100))
        bytes.append(UInt8(48 + milliseconds / 10 % 10))
        bytes.append(UInt8(48 + milliseconds % 10))
        bytes.append(UInt8(ascii: "Z"))
    }
}
