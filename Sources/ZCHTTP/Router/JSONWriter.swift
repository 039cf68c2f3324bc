import Glibc
import ZCCore

/// JSON written straight into bytes, for the few answers large enough that `JSONEncoder` is too slow
/// (the console's fleet table: 1,000 rows in well under a millisecond). The caller writes keys in sorted
/// order, as `JSONBody` does.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// A key; its value follows. Keys are the code's own names (`StaticString`: ASCII, nothing to
    /// escape), copied whole: the fleet table writes 16 of them per row.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        let text = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        assert(
            name.hasPointerRepresentation
                && !text.contains { $0 < 0x20 || $0 >= 0x80 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") },
            "a JSON key to escape")
        bytes.append(contentsOf: text)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) { separate(); appendString(value); needsComma = true }

    /// A value another `JSONWriter` wrote (`bytes` of a complete value), appended as it is.
    public mutating func written(_ value: [UInt8]) {
        separate()
        bytes.append(contentsOf: value)
        needsComma = true
    }

    public mutating func int(_ value: Int64) {
        separate()
        bytes.appendDecimal(value)
        needsComma = true
    }
    public mutating func bool(_ value: Bool) {
        separate(); bytes.append(contentsOf: (value ? "true" : "false").utf8); needsComma = true
    }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8); needsComma = true }

    /// A finite number as Swift prints it (`12.35`, `0.0`); a non-finite one, which JSON cannot hold, as null.
    public mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// `key` and its value, left out when the value is nil (as `JSONEncoder` leaves out a nil optional).
    public mutating func field(_ name: StaticString, _ value: String?) {
        if let value { key(name); string(value) }
    }

    public mutating func field(_ name: StaticString, _ value: Int64?) {
        if let value { key(name); int(value) }
    }

    public mutating func field(_ name: StaticString, _ value: Double?) {
        if let value { key(name); double(value) }
    }

    public mutating func field(_ name: StaticString, _ value: Bool?) {
        if let value { key(name); bool(value) }
    }

    /// `key` and a time as RFC 3339 UTC (`2026-01-31T12:00:00Z`), from Unix seconds; left out when nil.
    public mutating func field(_ name: StaticString, utcSeconds: Int64?) {
        guard let utcSeconds else { return }
        key(name)
        separate()
        var time = time_t(utcSeconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        bytes.append(UInt8(ascii: "\""))
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
        needsComma = true
    }

    private mutating func digits(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (ids, names, keys) hold nothing to escape: copied whole, not byte by byte.
        var value = value
        let copied = value.withUTF8 { text -> Bool in
            guard !text.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return false
            }
            bytes.append(contentsOf: text)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
