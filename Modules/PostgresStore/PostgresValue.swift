internal import CLibPQ
import ZCSQL

/// Conversions between `SQLValue` and libpq's text and binary formats.
enum PostgresValue {
    // Type OIDs from pg_type.
    static let bool: Oid = 16
    static let bytea: Oid = 17
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let oid: Oid = 26
    static let float4: Oid = 700
    static let float8: Oid = 701
    static let numeric: Oid = 1700

    /// A result cell, typed by its column's OID so both stores yield the same values: integers for
    /// integers and booleans, reals for floats, bytes for bytea, text for the rest.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, type: Oid) -> SQLValue {
        let text = String(decoding: bytes, as: UTF8.self)
        switch type {
        case int8, int2, int4, oid:
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        case float4, float8:
            return .real(double(text))
        case numeric:
            if let integer = Int64(text) { return .integer(integer) }
            return .real(double(text))
        case bool:
            return .integer(text == "t" ? 1 : 0)
        case bytea:
            return .blob(hexBytes(bytes))
        default:
            return .text(text)
        }
    }

    static func double(_ text: String) -> Double {
        switch text {
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        case "NaN": .nan
        default: Double(text) ?? .nan
        }
    }

    /// bytea's hex output: `\x` then two hex digits per byte.
    static func hexBytes(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard text.count >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") else { return Array(text) }
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: 0
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((text.count - 2) / 2)
        var index = 2
        while index + 1 < text.count {
            bytes.append(nibble(text[index]) << 4 | nibble(text[index + 1]))
            index += 2
        }
        return bytes
    }

    /// A parameter as libpq takes it: bytes (NUL-terminated for text format), and its format (1 = binary).
    static func encode(_ value: SQLValue) -> (bytes: [UInt8]?, binary: Bool) {
        switch value {
        case .null: return (nil, false)
        case .integer(let number): return (Array(String(number).utf8) + [0], false)
        case .real(let number):
            let text: String =
                number.isNaN
                ? "NaN" : number == .infinity ? "Infinity" : number == -.infinity ? "-Infinity" : "\(number)"
            return (Array(text.utf8) + [0], false)
        case .text(let text): return (Array(text.utf8) + [0], false)
        case .blob(let bytes): return (bytes, true)
        }
    }
}
