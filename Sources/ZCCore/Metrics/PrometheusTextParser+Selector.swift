/// The samples a usage setting picks from an agent's metrics: a metric name and the label values they must have,
/// written as in the exposition format, e.g. `zeroclaw_tokens_total{direction="input"}` or
/// `zeroclaw_messages_total`.
///
/// Only equality is supported (`label="value"`, not `!=`, `=~` or `!~`); values use the format's escapes
/// (`\\`, `\"`, `\n`). `description` writes the selector back with its labels sorted by name.
public struct PrometheusSelector: Sendable, Hashable, CustomStringConvertible {
    /// The metric name samples must have.
    public let name: String
    /// Labels samples must carry with exactly these values (others may carry any value).
    public let labels: [String: String]

    /// Checks the metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) and the label names (`[a-zA-Z_][a-zA-Z0-9_]*`).
    public init(name: String, labels: [String: String] = [:]) throws(ValidationError) {
        guard Self.isValidName(name, allowingColon: true) else {
            throw ValidationError(field: "selector", "metric name '\(name)' must match [a-zA-Z_:][a-zA-Z0-9_:]*")
        }
        for label in labels.keys.sorted() where !Self.isValidName(label, allowingColon: false) || label == "__name__" {
            throw ValidationError(
                field: "selector",
                "label name '\(label)' must match [a-zA-Z_][a-zA-Z0-9_]* and not be __name__ (in \(name))")
        }
        self.name = name
        self.labels = labels
    }

    /// Parses `name` or `name{label="value",...}`; blanks around the tokens and a trailing comma are allowed.
    public init(parsing text: String) throws(ValidationError) {
        var utf8 = text
        let parsed = utf8.withUTF8 { bytes in
            Result { () throws(PrometheusSyntaxError) in try Self.parse(bytes) }
        }
        switch parsed {
        case .success(let (name, labels)):
            self.name = name
            self.labels = labels
        case .failure(let error):
            let shown = text.unicodeScalars.count > 200 ? String(text.unicodeScalars.prefix(200)) + "…" : text
            throw ValidationError(field: "selector", "\(error.reason) (in '\(shown)')")
        }
    }

    /// Whether `sample` has this name and every label of this selector with the same value.
    public func matches(_ sample: PrometheusSample) -> Bool {
        sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
    }

    /// `name` or `name{a="1",b="2"}` (labels sorted by name, values escaped); parsing it gives this selector back.
    public var description: String {
        guard !labels.isEmpty else { return name }
        let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
        return name + "{" + pairs.joined(separator: ",") + "}"
    }

    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>
    ) throws(PrometheusSyntaxError) -> (String, [String: String]) {
        var scanner = PrometheusScanner(bytes: bytes, position: 0, end: bytes.count)
        scanner.skipBlanks()
        guard !scanner.atEnd else {
            throw PrometheusSyntaxError("the selector is empty; expected a metric name such as zeroclaw_messages_total")
        }
        let nameRange = scanner.scanName(allowingColon: true)
        guard !nameRange.isEmpty else {
            throw PrometheusSyntaxError(
                "expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) at the start, found \(scanner.found)")
        }
        let name = scanner.text(nameRange)
        var labels: [String: String] = [:]
        scanner.skipBlanks()
        if !scanner.atEnd, scanner.current == UInt8(ascii: "{") {
            var scratch: [UInt8] = []
            try scanner.readLabels(into: &labels, scratch: &scratch)
            scanner.skipBlanks()
        }
        guard scanner.atEnd else {
            throw PrometheusSyntaxError(
                "unexpected \(scanner.quoted(scanner.position..<scanner.end)) after "
                    + (labels.isEmpty ? "metric name \(name)" : "the label set")
                    + " (expected nothing, or {label=\"value\",...} after the name)")
        }
        return (name, labels)
    }

    static func isValidName(_ text: String, allowingColon: Bool) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = PrometheusScanner(bytes: bytes, position: 0, end: bytes.count)
            return !bytes.isEmpty && scanner.scanName(allowingColon: allowingColon) == 0..<bytes.count
        }
    }

    private static func escape(_ value: String) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
