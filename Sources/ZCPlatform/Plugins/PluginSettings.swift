import ZCCore
import ZCTOML

/// Typed reads of resolved configuration values, under a table (`collectors.usage`) or at the top.
/// The loader has checked every type; a name that is not a declared key is a mistake in the code that
/// reads it (a misspelling), and is an error naming it, never a silent 0, "" or false.
public struct PluginSettings: Sendable {
    /// `collectors.usage`, or empty for whole dotted names.
    public let table: String
    let values: [String: TOMLValue]
    /// Every declared key's dotted name (with plan names resolved).
    let declared: Set<String>

    init(table: String, values: [String: TOMLValue], declared: Set<String>) {
        self.table = table
        self.values = values
        self.declared = declared
    }

    /// The same values under another table.
    func under(_ table: String) -> PluginSettings {
        PluginSettings(table: table, values: values, declared: declared)
    }

    /// The full dotted name of `name`.
    public func qualified(_ name: String) -> String { table.isEmpty ? name : "\(table).\(name)" }

    private func value(_ name: String) throws(ConfigurationError) -> TOMLValue? {
        let full = qualified(name)
        guard declared.contains(full) else {
            throw ConfigurationError("\(full) is not a configuration key (read by a misspelt name)")
        }
        return values[full]
    }

    private func required<T>(
        _ name: String, _ type: String, _ cast: (TOMLValue) -> T?
    ) throws(ConfigurationError)
        -> T
    {
        guard let value = try value(name), let typed = cast(value) else {
            throw ConfigurationError(
                "\(qualified(name)) has no \(type) value (a key without a default read as required)")
        }
        return typed
    }

    public func string(_ name: String) throws(ConfigurationError) -> String {
        try required(name, "string") { $0.string }
    }

    /// The string, or nil when unset or empty.
    public func optionalString(_ name: String) throws(ConfigurationError) -> String? {
        try value(name)?.string.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func int(_ name: String) throws(ConfigurationError) -> Int {
        try required(name, "integer") { $0.integer.map { Int($0) } }
    }

    public func optionalInt(_ name: String) throws(ConfigurationError) -> Int? {
        try value(name)?.integer.map { Int($0) }
    }

    public func double(_ name: String) throws(ConfigurationError) -> Double {
        try required(name, "number") { $0.double }
    }

    public func bool(_ name: String) throws(ConfigurationError) -> Bool {
        try required(name, "boolean") { $0.bool }
    }

    /// Keys of drivers that the platform reads itself (the database file for backups, the agent image
    /// for a tenant's spec): read as declared when a registered driver declares them, else the neutral
    /// value of a build without that driver.
    func driverString(_ name: String) throws(ConfigurationError) -> String {
        declared.contains(qualified(name)) ? try string(name) : ""
    }

    func driverOptionalString(_ name: String) throws(ConfigurationError) -> String? {
        declared.contains(qualified(name)) ? try optionalString(name) : nil
    }

    func driverInt(_ name: String) throws(ConfigurationError) -> Int {
        declared.contains(qualified(name)) ? try int(name) : 0
    }

    func driverBool(_ name: String) throws(ConfigurationError) -> Bool {
        declared.contains(qualified(name)) ? try bool(name) : false
    }

    /// A comma-separated list; commas inside `{…}` label selectors, and braces or commas inside their quoted
    /// values, do not split.
    public func list(_ name: String) throws(ConfigurationError) -> [String] {
        CommaList.split(try optionalString(name) ?? "")
    }

    /// A list of Prometheus selectors; one that does not parse is an error naming the key.
    public func selectors(_ name: String) throws(ConfigurationError) -> [PrometheusSelector] {
        let items = try list(name)
        guard !items.isEmpty else { throw ConfigurationError("\(qualified(name)): give at least one metric name") }
        var selectors: [PrometheusSelector] = []
        for item in items {
            do {
                selectors.append(try PrometheusSelector(parsing: item))
            } catch {
                throw ConfigurationError("\(qualified(name)): not a metric selector: \(error.message)")
            }
        }
        return selectors
    }
}

/// Splits `a,b{x="1,2"},c` at the commas outside braces and quotes.
enum CommaList {
    static func split(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        var escaped = false
        for character in text {
            if quoted {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    quoted = false
                }
                current.append(character)
                continue
            }
            switch character {
            case "\"": quoted = true
            case "{": depth += 1
            case "}": depth -= 1
            case "," where depth == 0:
                items.append(current.trimmingWhitespace())
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        items.append(current.trimmingWhitespace())
        return items.filter { !$0.isEmpty }
    }
}
