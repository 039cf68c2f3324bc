import Foundation
import ZCTOML

/// Reads `zcplatform.toml` and `ZCPLATFORM_*` variables into a checked configuration.
///
/// Precedence: environment over file over default. The file is `--config PATH`, else
/// `$ZCPLATFORM_CONFIG`, else `./zcplatform.toml` when present; without one every default applies.
/// Unknown keys and variables, and values of the wrong type, are refused with their name.
public enum ConfigurationLoader {
    /// Variables with the prefix that are not configuration keys.
    static let reservedVariables: Set<String> = ["ZCPLATFORM_CONFIG"]
    /// Alternative names operators may know from the operations document.
    static let aliases: [String: String] = ["ZCPLATFORM_DB_PATH": "store.path"]

    /// - Parameter registry: the plugins whose keys the configuration may hold (and must, to open them).
    public static func load(
        explicitPath: String?, environment: [String: String], context: ConfigurationContext,
        workingDirectory: String = FileManager.default.currentDirectoryPath, registry: PluginRegistry = .standard
    ) throws(ConfigurationError) -> PlatformConfiguration {
        let keys = ConfigurationSchema.keys(registry)
        let path = try locateFile(
            explicitPath: explicitPath, environment: environment, workingDirectory: workingDirectory)
        var fileValues: [String: TOMLValue] = [:]
        var planNames: Set<String> = ["default"]
        if let path {
            let table = try readFile(path)
            try collect(table, source: path, keys: keys, into: &fileValues, planNames: &planNames)
        }
        let environmentValues = try readEnvironment(environment, keys: keys, planNames: planNames)
        var effective: [String: TOMLValue] = [:]
        var sources: [String: String] = [:]
        for key in keys {
            for name in resolvedNames(of: key, planNames: planNames) {
                if let value = environmentValues[name] {
                    effective[name] = value
                    sources[name] = "environment"
                } else if let value = fileValues[name] {
                    effective[name] = value
                    sources[name] = path
                } else if let value = key.defaultValue(context) {
                    effective[name] = value
                }
            }
        }
        let configuration = try PlatformConfiguration(
            values: effective, keys: keys, planNames: planNames.sorted(), file: path, sources: sources)
        try registry.validate(configuration.settings(""))
        return configuration
    }

    static func resolvedNames(of key: ConfigurationKey, planNames: Set<String>) -> [String] {
        guard key.section.contains("*") else { return [key.dottedName] }
        return planNames.sorted().map { plan in
            (key.section.map { $0 == "*" ? plan : $0 } + [key.name]).joined(separator: ".")
        }
    }

    static func locateFile(
        explicitPath: String?, environment: [String: String], workingDirectory: String
    ) throws(ConfigurationError) -> String? {
        if let explicit = explicitPath ?? environment["ZCPLATFORM_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: explicit, isDirectory: &isDirectory) else {
                throw ConfigurationError("configuration file \(explicit) does not exist")
            }
            guard !isDirectory.boolValue else {
                throw ConfigurationError("configuration file \(explicit) is a directory")
            }
            return explicit
        }
        let local = (workingDirectory as NSString).appendingPathComponent("zcplatform.toml")
        return FileManager.default.fileExists(atPath: local) ? local : nil
    }

    static func readFile(_ path: String) throws(ConfigurationError) -> TOMLTable {
        guard access(path, R_OK) == 0, let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigurationError("cannot read configuration file \(path): permission denied")
        }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() ?? Data() else {
            throw ConfigurationError("cannot read configuration file \(path)")
        }
        do {
            return try TOML.decode(bytes: Array(data))
        } catch {
            throw ConfigurationError("\(path): line \(error.line), column \(error.column): \(error.message)")
        }
    }

    /// Checks every key of the file against the schema, canonicalizing values into `values`.
    static func collect(
        _ table: TOMLTable, source: String, keys: [ConfigurationKey], into values: inout [String: TOMLValue],
        planNames: inout Set<String>
    ) throws(ConfigurationError) {
        let sections = Set(keys.map { $0.section.joined(separator: ".") })
        func walk(_ table: TOMLTable, path: [String]) throws(ConfigurationError) {
            for (name, value) in table {
                let here = path + [name]
                let dotted = here.joined(separator: ".")
                if case .table(let inner) = value {
                    // A named sub-table such as [plans.starter].
                    if path.count == 1, ConfigurationSchema.namedSections.contains(path[0]) {
                        guard PlanName.isValid(name) else {
                            throw ConfigurationError(
                                "\(source): plan name '\(name)' must be 1 to 40 characters of a-z, 0-9, '-' and '_'")
                        }
                        planNames.insert(name)
                        try walk(inner, path: here)
                        continue
                    }
                    let pattern = patternPath(here)
                    guard sections.contains(pattern) || sections.contains(where: { $0.hasPrefix(pattern + ".") }) else {
                        throw ConfigurationError(
                            "\(source): unknown section [\(dotted)]\(suggestion(dotted, in: sections))")
                    }
                    try walk(inner, path: here)
                    continue
                }
                let pattern = patternPath(path)
                guard
                    let key = keys.first(where: {
                        $0.section.joined(separator: ".") == pattern && $0.name == name
                    })
                else {
                    if path.isEmpty, sections.contains(name) || sections.contains(where: { $0.hasPrefix(name + ".") }) {
                        throw ConfigurationError("\(source): '\(name)' must be a table ([\(name)])")
                    }
                    let known = keys.filter { $0.section.joined(separator: ".") == pattern }
                        .map(\.name)
                    throw ConfigurationError(
                        "\(source): unknown key '\(dotted)'"
                            + suggestion(name, in: Set(known), prefix: path.joined(separator: ".")))
                }
                guard let checked = key.validate(value) else {
                    throw ConfigurationError(
                        "\(source): \(dotted) must be \(key.expectation) (found \(describe(value)))")
                }
                values[dotted] = checked
            }
        }
        try walk(table, path: [])
    }

    /// `plans.starter` → `plans.*`.
    static func patternPath(_ path: [String]) -> String {
        if path.count >= 2, ConfigurationSchema.namedSections.contains(path[0]) {
            return ([path[0], "*"] + path.dropFirst(2)).joined(separator: ".")
        }
        return path.joined(separator: ".")
    }

    static func readEnvironment(
        _ environment: [String: String], keys: [ConfigurationKey], planNames: Set<String>
    ) throws(ConfigurationError) -> [String: TOMLValue] {
        var byVariable: [String: (name: String, key: ConfigurationKey)] = [:]
        for key in keys {
            if key.section.contains("*") {
                for plan in planNames {
                    let name = (key.section.map { $0 == "*" ? plan : $0 } + [key.name]).joined(separator: ".")
                    byVariable[key.environmentName(plan: plan)] = (name, key)
                }
            } else {
                byVariable[key.environmentName()] = (key.dottedName, key)
            }
        }
        for (alias, target) in aliases {
            if let key = keys.first(where: { $0.dottedName == target }) {
                byVariable[alias] = (target, key)
            }
        }
        var values: [String: TOMLValue] = [:]
        // Canonical names win over aliases: apply aliases first.
        let variables = environment.keys.filter { $0.hasPrefix("ZCPLATFORM_") && !reservedVariables.contains($0) }
            .sorted { (aliases[$0] != nil ? 0 : 1, $0) < (aliases[$1] != nil ? 0 : 1, $1) }
        for variable in variables {
            guard let (name, key) = byVariable[variable] else {
                throw ConfigurationError(
                    "environment: unknown variable \(variable)\(suggestion(variable, in: Set(byVariable.keys)))")
            }
            let text = environment[variable] ?? ""
            guard let value = key.parse(environment: text) else {
                throw ConfigurationError("environment: \(variable) (\(name)) must be \(key.expectation)")
            }
            values[name] = value
        }
        return values
    }

    static func describe(_ value: TOMLValue) -> String {
        switch value {
        case .string: "a string"
        case .integer(let number): "the integer \(number)"
        case .float(let number): "the number \(number)"
        case .boolean(let flag): "\(flag)"
        case .array: "an array"
        case .table: "a table"
        default: "a date or time"
        }
    }

    /// ` (did you mean 'server.port'?)` when a known name is within two edits.
    static func suggestion(_ name: String, in known: Set<String>, prefix: String = "") -> String {
        let best = known.map { ($0, EditDistance.between(name, $0)) }.min { ($0.1, $0.0) < ($1.1, $1.0) }
        guard let best, best.1 <= 2 else { return "" }
        let full = prefix.isEmpty ? best.0 : "\(prefix).\(best.0)"
        return " (did you mean '\(full)'?)"
    }
}

/// Plan names: 1 to 40 characters of a-z, 0-9, '-' and '_'.
enum PlanName {
    static func isValid(_ name: String) -> Bool {
        (1...40).contains(name.utf8.count)
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
    }
}

/// Levenshtein distance, for "did you mean" hints.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased())
        let b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
