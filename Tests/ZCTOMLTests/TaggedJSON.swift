import Foundation
import ZCTOML

/// toml-test's tagged JSON form of decoded TOML (`{"type": "integer", "value": "42"}` for every scalar, JSON
/// arrays and objects for arrays and tables) and a semantic comparison against an expected document.
enum TaggedJSON {
    /// The tagged JSON object for `value`, built from Foundation types like `JSONSerialization` produces.
    static func make(_ value: TOMLValue) -> Any {
        switch value {
        case .string(let string): return tag("string", string)
        case .integer(let integer): return tag("integer", String(integer))
        case .float(let float):
            if float.isNaN { return tag("float", "nan") }
            if float.isInfinite { return tag("float", float < 0 ? "-inf" : "inf") }
            return tag("float", "\(float)")
        case .boolean(let bool): return tag("bool", bool ? "true" : "false")
        case .offsetDateTime(let dateTime): return tag("datetime", dateTime.description)
        case .localDateTime(let dateTime): return tag("datetime-local", dateTime.description)
        case .localDate(let date): return tag("date-local", date.description)
        case .localTime(let time): return tag("time-local", time.description)
        case .array(let elements): return elements.map(make)
        case .table(let table): return make(table)
        }
    }

    static func make(_ table: TOMLTable) -> [String: Any] {
        var object: [String: Any] = [:]
        for (key, value) in table {
            object[key] = make(value)
        }
        return object
    }

    private static func tag(_ type: String, _ value: String) -> [String: String] {
        ["type": type, "value": value]
    }

    /// `nil` when `actual` matches `expected`, else a description of the first difference found.
    static func difference(actual: Any, expected: Any, path: String = "$") -> String? {
        if let expectedTag = scalarTag(expected) {
            guard let actualTag = scalarTag(actual) else { return "\(path): expected a \(expectedTag.type) scalar" }
            guard actualTag.type == expectedTag.type else {
                return "\(path): expected type \(expectedTag.type), got \(actualTag.type)"
            }
            guard scalarsEqual(type: actualTag.type, actualTag.value, expectedTag.value) else {
                return "\(path): expected \(expectedTag.type) \(expectedTag.value), got \(actualTag.value)"
            }
            return nil
        }
        if let expectedArray = expected as? [Any] {
            guard let actualArray = actual as? [Any] else { return "\(path): expected an array" }
            guard actualArray.count == expectedArray.count else {
                return "\(path): expected \(expectedArray.count) elements, got \(actualArray.count)"
            }
            for (index, pair) in zip(actualArray, expectedArray).enumerated() {
                if let found = difference(actual: pair.0, expected: pair.1, path: "\(path)[\(index)]") {
                    return found
                }
            }
            return nil
        }
        if let expectedObject = expected as? [String: Any] {
            guard let actualObject = actual as? [String: Any], scalarTag(actual) == nil else {
                return "\(path): expected a table"
            }
            let missing = Set(expectedObject.keys).subtracting(actualObject.keys)
            let extra = Set(actualObject.keys).subtracting(expectedObject.keys)
            guard missing.isEmpty, extra.isEmpty else {
                return "\(path): missing keys \(missing.sorted()), unexpected keys \(extra.sorted())"
            }
            for key in expectedObject.keys.sorted() {
                guard let actualValue = actualObject[key], let expectedValue = expectedObject[key] else { continue }
                if let found = difference(actual: actualValue, expected: expectedValue, path: "\(path).\(key)") {
                    return found
                }
            }
            return nil
        }
        return "\(path): unexpected JSON in the expected document"
    }

    /// The `(type, value)` of a tagged scalar object.
    private static func scalarTag(_ object: Any) -> (type: String, value: String)? {
        guard let dictionary = object as? [String: Any], dictionary.count == 2,
            let type = dictionary["type"] as? String, let value = dictionary["value"] as? String
        else { return nil }
        return (type, value)
    }

    private static func scalarsEqual(type: String, _ actual: String, _ expected: String) -> Bool {
        switch type {
        case "integer":
            guard let left = Int64(actual), let right = Int64(expected) else { return false }
            return left == right
        case "float":
            guard let left = parseFloat(actual), let right = parseFloat(expected) else { return false }
            return left == right || (left.isNaN && right.isNaN)
        case "datetime", "datetime-local", "date-local", "time-local":
            return normalizeDateTime(actual) == normalizeDateTime(expected)
        default:
            return actual == expected
        }
    }

    private static func parseFloat(_ text: String) -> Double? {
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        default: return Double(text)
        }
    }

    /// Upper-cases `t`/`z`, uses `T` as the separator, drops trailing zeros of fractional seconds (and an empty
    /// fraction), and writes a zero offset as `Z`.
    static func normalizeDateTime(_ text: String) -> String {
        var result = text.uppercased()
        if result.count > 10 {
            let separator = result.index(result.startIndex, offsetBy: 10)
            if result[separator] == " " {
                result.replaceSubrange(separator...separator, with: "T")
            }
        }
        if result.hasSuffix("+00:00") || result.hasSuffix("-00:00") {
            result = String(result.dropLast(6)) + "Z"
        }
        guard let dot = result.firstIndex(of: ".") else { return result }
        var end = result.index(after: dot)
        while end < result.endIndex, result[end].isNumber {
            end = result.index(after: end)
        }
        var digits = result[result.index(after: dot)..<end]
        while digits.hasSuffix("0") {
            digits = digits.dropLast()
        }
        let fraction = digits.isEmpty ? "" : "." + digits
        return String(result[..<dot]) + fraction + String(result[end...])
    }
}
