import Foundation
import ZCTOML

/// ZeroClaw's config schema 3 as data (`Fixtures/zeroclaw-schema-3.txt`: key paths and types, written
/// from the agent's source with the commits read), and a check of a rendered config against it, key by
/// key.
struct ZeroClawSchema {
    struct Entry {
        let path: [String]
        let type: String
    }

    let entries: [Entry]

    static func load() throws -> ZeroClawSchema {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/zeroclaw-schema-3.txt")
        let text = try String(contentsOf: file, encoding: .utf8)
        var entries: [Entry] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            let parts = line.split(separator: " ")
            entries.append(Entry(path: parts[0].split(separator: ".").map(String.init), type: String(parts[1])))
        }
        return ZeroClawSchema(entries: entries)
    }

    /// The type the schema gives `path`, nil when it has no such key.
    func type(of path: [String]) -> String? {
        entries.first { entry in
            entry.path.count == path.count && zip(entry.path, path).allSatisfy { $0 == "*" || $0 == $1 }
        }?.type
    }

    static func type(of value: TOMLValue) -> String {
        switch value {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .table: "table"
        case .array(let items):
            items.allSatisfy({ if case .string = $0 { true } else { false } }) ? "array-of-strings" : "array"
        default: "other"
        }
    }

    /// Every key of `table` the schema does not have, or has with another type; keys under a top-level
    /// name in `free` (the tenant's own settings) are not checked.
    func problems(in table: TOMLTable, free: Set<String> = []) -> [String] {
        var found: [String] = []
        func walk(_ table: TOMLTable, _ prefix: [String]) {
            for (key, value) in table {
                let path = prefix + [key]
                if prefix.isEmpty, free.contains(key) { continue }
                let actual = Self.type(of: value)
                guard let expected = type(of: path) else {
                    found.append("\(path.joined(separator: ".")): not a key of schema 3")
                    continue
                }
                if expected != actual {
                    found.append("\(path.joined(separator: ".")): \(actual), the schema says \(expected)")
                }
                // A profile's contents are the tenant's own settings.
                if case .table(let inner) = value, !(path.first?.hasSuffix("_profiles") ?? false) {
                    walk(inner, path)
                }
            }
        }
        walk(table, [])
        return found
    }
}
