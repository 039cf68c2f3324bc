import Foundation

/// How a record becomes a line: logfmt (`key=value`) for people, JSON for log shippers.
public enum LogFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case logfmt
    case json

    public func render(_ record: LogRecord) -> String {
        let time = record.time.iso8601.dropLast() + String(format: ".%03dZ", record.milliseconds)
        var pairs: [(String, String)] = [
            ("time", String(time)), ("level", record.level.rawValue), ("logger", record.label),
            ("event", record.event),
        ]
        pairs.append(contentsOf: record.fields)
        switch self {
        case .logfmt:
            return pairs.map { "\($0.0)=\(LogFormat.logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return "{"
                + pairs.map { "\(LogFormat.jsonString($0.0)):\(LogFormat.jsonString($0.1))" }
                .joined(separator: ",") + "}"
        }
    }

    /// Quotes a value when it holds spaces, quotes, `=` or control characters.
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 }
        guard needsQuotes else { return value }
        return jsonString(value)
    }

    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
