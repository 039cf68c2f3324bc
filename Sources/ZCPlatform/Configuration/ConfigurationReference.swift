import Foundation
import ZCTOML

/// Every configuration key with its type, default, variable and meaning: `zcplatform config keys`,
/// and the table in `Docs/CONFIGURATION.md`.
public enum ConfigurationReference {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var type: String
        public var defaultValue: String
        public var variable: String
        public var help: String
        public var secret: Bool
    }

    /// The keys of a platform built from `registry`.
    public static func entries(_ registry: PluginRegistry = .standard) -> [Entry] {
        ConfigurationSchema.keys(registry).map { key in
            let plan = key.section.contains("*")
            let sample = ConfigurationContext(
                dockerSocketExists: false, zeroclawOnPath: false, executableDirectory: "", hostName: "")
            let value = key.defaultRule ?? key.defaultValue(sample).map(render) ?? "none"
            return Entry(
                key: plan ? key.dottedName.replacingOccurrences(of: "*", with: "NAME") : key.dottedName,
                type: typeName(key.kind), defaultValue: value,
                variable: key.environmentName(plan: plan ? "NAME" : nil), help: key.help, secret: key.secret)
        }
    }

    static func render(_ value: TOMLValue) -> String {
        switch value {
        case .string(let text): "\"\(text)\""
        case .integer(let number): String(number)
        case .float(let number): number == number.rounded() ? String(format: "%.1f", number) : String(number)
        case .boolean(let flag): String(flag)
        default: value.description
        }
    }

    static func typeName(_ kind: ConfigurationKey.Kind) -> String {
        switch kind {
        case .string: "string"
        case .integer(let range): "integer \(range.lowerBound)…\(range.upperBound)"
        case .number(let range): "number \(range.lowerBound)…\(range.upperBound)"
        case .boolean: "boolean"
        case .choice(let options): "one of " + options.joined(separator: ", ")
        case .size: "size (bytes, or \"256MiB\")"
        }
    }

    /// A Markdown table of every key.
    public static func markdown(_ registry: PluginRegistry = .standard) -> String {
        var lines = ["| key | type | default | environment | meaning |", "| --- | --- | --- | --- | --- |"]
        for entry in entries(registry) {
            let help = entry.secret ? entry.help + " (secret: redacted by `config check`)" : entry.help
            lines.append(
                "| `\(entry.key)` | \(entry.type) | `\(entry.defaultValue)` | `\(entry.variable)` | \(help) |"
                    .replacingOccurrences(of: "`none`", with: "none"))
        }
        return lines.joined(separator: "\n")
    }

    /// Plain columns for a terminal.
    public static func text(_ registry: PluginRegistry = .standard) -> String {
        entries(registry).map { entry in
            entry.key.padding(toLength: 44, withPad: " ", startingAt: 0) + " "
                + entry.defaultValue.padding(toLength: 40, withPad: " ", startingAt: 0) + " " + entry.variable
        }.joined(separator: "\n")
    }
}
