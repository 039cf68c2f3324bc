import Foundation
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// `Docs/openapi.yaml` is the spec of record: every route the router serves is in it, and every
/// operation in it is served.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    /// The document; ZC_OPENAPI_DOCUMENT names another file to check instead (a draft, or an old revision
    /// from `git show`, to see a rule fail).
    static var document: String {
        let path =
            ProcessInfo.processInfo.environment["ZC_OPENAPI_DOCUMENT"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Docs/openapi.yaml").path
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// `METHOD /path` of every operation under `paths:` (two-space paths, four-space methods).
    static func documentedOperations(_ text: String) -> Set<String> {
        var operations: Set<String> = []
        var inPaths = false
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }
            if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                current = line.trimmingCharacters(in: .whitespaces).dropLast().replacingOccurrences(of: "\"", with: "")
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path = current {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) {
                    operations.insert("\(method) \(path)")
                }
            }
        }
        return operations
    }

    @Test("the router and the document name the same operations")
    func agree() async throws {
        let api = try await APIHarness.open()
        let served = Set(api.platform.api.routes.map { "\($0.method.rawValue) \($0.pattern)" })
        let documented = Self.documentedOperations(Self.document)
        #expect(documented.count > 30, "the document was read")
        #expect(served.subtracting(documented).sorted() == [], "served but not documented")
        #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        await api.close()
    }

    @Test("the access matrix covers every /api operation")
    func matrixCoversEverything() {
        let documented = Self.documentedOperations(Self.document).filter { $0.contains(" /api/") }
        let unauthenticated: Set<String> = [
            "POST /api/auth/otp/request", "POST /api/auth/otp/verify", "GET /api/auth/session",
            "POST /api/auth/session",
        ]
        let matrix = Set(
            AccessMatrixTests.routes.map { route in
                let path = route.path.split(separator: "?").first.map(String.init) ?? route.path
                let pattern = path.replacingOccurrences(of: "/acme", with: "/{id}")
                    .replacingOccurrences(of: "users/{viewer}", with: "users/{id}")
                    .replacingOccurrences(of: "members/{viewer}", with: "members/{user_id}")
                    .replacingOccurrences(of: "{channel}", with: "{channel_id}")
                    .replacingOccurrences(of: "{own-token}", with: "{id}")
                    .replacingOccurrences(of: "nodes/{node}", with: "nodes/{id}")
                    .replacingOccurrences(of: "rollouts/{rollout}", with: "rollouts/{id}")
                return "\(route.method.rawValue) \(pattern)"
            })
        #expect(
            documented.subtracting(unauthenticated).subtracting(matrix).sorted() == [],
            "operations the matrix does not check")
    }

    /// How the request strings of a document treat NUL (U+0000), each named by where it is
    /// (`PATCH /api/tenants/{id}/config body`, `#/components/schemas/ConfigPatch.properties.model`, ...).
    struct NULRule {
        /// Strings whose schema says nothing that keeps NUL out.
        var silent: [String] = []
        /// Strings marked `x-nul-accepted: true`: the server takes NUL there, and the document says so.
        var accepted: [String] = []
        /// Every request string seen.
        var strings = 0
    }

    /// Walks every request body and parameter schema, following `$ref`s, down to each `type: string`.
    static func nulRule(_ document: OpenAPIYAML) -> NULRule {
        var rule = NULRule()
        var walked: Set<String> = []
        func walk(_ node: OpenAPIYAML, _ place: String) {
            if case .list(let items) = node {
                for (index, item) in items.enumerated() { walk(item, "\(place)[\(index)]") }
                return
            }
            guard case .map(let entries) = node else { return }
            if let reference = node["$ref"]?.text {
                if walked.insert(reference).inserted, let target = document.resolve(reference) {
                    walk(target, reference)
                }
                return
            }
            if node["type"]?.text == "string" {
                rule.strings += 1
                if node["x-nul-accepted"]?.text == "true" {
                    rule.accepted.append(place)
                } else if !keepsNULOut(node) {
                    rule.silent.append(place)
                }
            }
            for (key, value) in entries where !["enum", "required", "example", "default"].contains(key) {
                walk(value, "\(place).\(key)")
            }
        }
        for (path, item) in document["paths"]?.entries ?? [] {
            for (method, operation) in item.entries where Self.methods.contains(method) {
                let name = "\(method.uppercased()) \(path)"
                if let body = operation["requestBody"] { walk(body, "\(name) body") }
                for parameter in (item["parameters"]?.items ?? []) + (operation["parameters"]?.items ?? []) {
                    let place = "\(name) \(parameter["in"]?.text ?? "?") \(parameter["name"]?.text ?? "?")"
                    walk(parameter["schema"] ?? parameter, place)
                }
            }
        }
        return rule
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// Whether a string schema refuses NUL: an enum, a format that has none (a date or an email address),
    /// or an anchored pattern none of whose parts matches it.
    static func keepsNULOut(_ schema: OpenAPIYAML) -> Bool {
        if schema["enum"] != nil { return true }
        if let format = schema["format"]?.text, ["date-time", "date", "email"].contains(format) { return true }
        return schema["pattern"]?.text.map(patternKeepsNULOut) ?? false
    }

    /// True when no string holding U+0000 can match `pattern` (ECMA 262 syntax, as JSON Schema says): it is
    /// anchored at both ends, and each class, escape and character in it leaves U+0000 out. Alternation,
    /// `.`, lookarounds and escapes it does not know count as letting NUL in.
    static func patternKeepsNULOut(_ pattern: String) -> Bool {
        // Anchored alternatives (`^a$|^b$`): each must keep NUL out.
        if pattern.contains("$|^") {
            let parts = pattern.components(separatedBy: "$|^")
            return parts.enumerated().allSatisfy { index, part in
                patternKeepsNULOut((index == 0 ? "" : "^") + part + (index == parts.count - 1 ? "" : "$"))
            }
        }
        let scalars = Array(pattern.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "^", scalars.last == "$", scalars[scalars.count - 2] != "\\"
        else { return false }
        let body = Array(scalars[1..<(scalars.count - 1)])
        var index = 0
        while index < body.count {
            switch body[index] {
            case "|", ".", "^", "$":
                return false
            case "(":
                if index + 1 < body.count, body[index + 1] == "?", index + 2 >= body.count || body[index + 2] != ":" {
                    return false
                }
                index += 1
            case "[":
                guard let (matchesNUL, end) = patternClass(body, from: index + 1), !matchesNUL else { return false }
                index = end
            case "\\":
                guard let (atom, end) = patternEscape(body, from: index + 1, inClass: false), !atom.coversNUL else {
                    return false
                }
                index = end
            default:
                if body[index].value == 0 { return false }
                index += 1
            }
        }
        return true
    }

    /// One character (`scalar`) or a class escape such as `\\s` (`set`) in a pattern.
    enum PatternAtom {
        case scalar(UInt32)
        case set(coversNUL: Bool)

        var coversNUL: Bool {
            switch self {
            case .scalar(let value): value == 0
            case .set(let coversNUL): coversNUL
            }
        }
    }

    /// The escape after a backslash at `index`, and the index after it; nil for one this check does not know.
    static func patternEscape(_ body: [Unicode.Scalar], from index: Int, inClass: Bool) -> (PatternAtom, Int)? {
        guard index < body.count else { return nil }
        let escape = body[index]
        func hex(_ digits: Int) -> (PatternAtom, Int)? {
            guard index + digits < body.count,
                let value = UInt32(String(String.UnicodeScalarView(body[(index + 1)...(index + digits)])), radix: 16)
            else { return nil }
            return (.scalar(value), index + digits + 1)
        }
        switch escape {
        case "u": return hex(4)
        case "x": return hex(2)
        case "0": return (.scalar(0), index + 1)
        case "t": return (.scalar(0x09), index + 1)
        case "n": return (.scalar(0x0A), index + 1)
        case "v": return (.scalar(0x0B), index + 1)
        case "f": return (.scalar(0x0C), index + 1)
        case "r": return (.scalar(0x0D), index + 1)
        case "d", "w", "s": return (.set(coversNUL: false), index + 1)
        case "D", "W", "S": return (.set(coversNUL: true), index + 1)
        case "b": return inClass ? (.scalar(0x08), index + 1) : (.set(coversNUL: false), index + 1)
        case "B": return inClass ? nil : (.set(coversNUL: false), index + 1)
        default:
            // Backreferences, \\p{...}, \\c, \\k and other letters are not judged; punctuation is itself.
            if escape.properties.isAlphabetic || ("1"..."9").contains(escape) { return nil }
            return (.scalar(escape.value), index + 1)
        }
    }

    /// Whether the class opened just before `index` matches U+0000, and the index after its `]`; nil when
    /// it is not understood.
    static func patternClass(_ body: [Unicode.Scalar], from start: Int) -> (Bool, Int)? {
        var index = start
        let negated = index < body.count && body[index] == "^"
        if negated { index += 1 }
        var coversNUL = false
        func atom() -> PatternAtom? {
            guard index < body.count else { return nil }
            if body[index] == "\\" {
                guard let (atom, end) = patternEscape(body, from: index + 1, inClass: true) else { return nil }
                index = end
                return atom
            }
            defer { index += 1 }
            return .scalar(body[index].value)
        }
        while index < body.count, body[index] != "]" {
            guard let low = atom() else { return nil }
            if index + 1 < body.count, body[index] == "-", body[index + 1] != "]" {
                index += 1
                guard case .scalar(let from) = low, case .scalar(let to)? = atom(), from <= to else { return nil }
                coversNUL = coversNUL || from == 0
            } else {
                coversNUL = coversNUL || low.coversNUL
            }
        }
        guard index < body.count else { return nil }
        return (negated ? !coversNUL : coversNUL, index + 1)
    }

    @Test("every request string and parameter says it refuses NUL, or that the server takes it")
    func nulIsRefused() throws {
        let rule = Self.nulRule(try OpenAPIYAML.parse(Self.document))
        #expect(rule.strings > 40, "the document was read")
        #expect(rule.silent == [], "request strings whose schema lets NUL (U+0000) through; the server refuses it")
        let takesNUL = rule.accepted.filter {
            !$0.contains(".settings.") && !$0.contains(".secrets.") && !$0.hasSuffix(".secret")
                && !$0.hasSuffix(".api_key")
                && !$0.hasPrefix("#/components/schemas/AgentSetting")
        }
        #expect(takesNUL == [], "only secrets (sealed) and settings (stored as JSON) take NUL")
    }

    @Test(
        "the NUL check reads patterns right",
        arguments: [
            ("^[^\\u0000]*$", true), ("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", true), ("^[0-9]{6}$", true),
            ("^[^\\u0000-\\u001f\\u007f-\\u009f]*$", true), ("^[^\\u0000]*[^ \\t\\n\\r\\u0000][^\\u0000]*$", true),
            ("^(?:[a-z]+)\\.[a-z]+$", true), ("^[^\\x00]+$", true), ("^\\S+$", false), ("^.*$", false),
            ("[^\\u0000]*", false), ("^[^a]*$", false), ("^a$|b", false), ("^a|b$", false),
            ("^[\\u0000-\\uffff]*$", false), ("^[\\W]*$", false), ("^[^\\s\\u0000]$", true),
            ("^a\\u0000$", false), ("^(?!a).*$", false),
            ("^[a-\\u0000]$", false), ("^[^\\p{L}]$", false), ("^abc\\$", false),
        ])
    func nulPatterns(pattern: String, keepsNULOut: Bool) {
        #expect(Self.patternKeepsNULOut(pattern) == keepsNULOut, "\(pattern)")
    }

    @Test("ChannelCreate has one variant per channel kind, with the kind's settings, secrets and requirements")
    func channelVariantsMatchTheKinds() throws {
        let document = try OpenAPIYAML.parse(Self.document)
        let variants = document["components"]?["schemas"]?["ChannelCreate"]?["oneOf"]?.items ?? []
        #expect(variants.compactMap { $0["title"]?.text } == ChannelKind.all.map(\.name))
        for (variant, kind) in zip(variants, ChannelKind.all) {
            let properties = variant["properties"]
            #expect(
                Set(properties?["settings"]?["properties"]?.entries.map(\.key) ?? []) == kind.settings, "\(kind.name)")
            #expect(properties?["secrets"]?["properties"]?.entries.map(\.key) == kind.secrets, "\(kind.name)")
            #expect(
                properties?["secret"]?["description"]?.text?.contains("`\(kind.primarySecretField)`") == true,
                "\(kind.name)")
            // What an enabled channel needs, wherever the variant's requirement clauses name it.
            let needs = !kind.requiredSecrets.isEmpty || !kind.oneOfSecrets.isEmpty || !kind.requiredSettings.isEmpty
            #expect((variant["anyOf"] != nil) == needs, "\(kind.name)")
            let clauses = Self.flatten(variant["anyOf"]?.items.last)
            for field in kind.requiredSecrets.union(kind.requiredSettings) {
                #expect(clauses.contains(field), "\(kind.name): \(field) required when enabled")
            }
        }
    }

    /// Every scalar under a node.
    static func flatten(_ node: OpenAPIYAML?) -> Set<String> {
        guard let node else { return [] }
        switch node {
        case .scalar(let text): return [text]
        case .list(let items): return items.reduce(into: []) { $0.formUnion(flatten($1)) }
        case .map(let entries): return entries.reduce(into: []) { $0.formUnion(flatten($1.value)) }
        }
    }

    @Test("the YAML reader reads the document's forms")
    func yamlReader() throws {
        let node = try OpenAPIYAML.parse(
            """
            # comment
            a:
              "b/c": "x\\u0041\\"y\\\\"
              list:
                - "one"
                - key: 1
                  other: []
                - null
            d: true
            """)
        #expect(node["a"]?["b/c"]?.text == "xA\"y\\")
        #expect(node["a"]?["list"]?.items.count == 3)
        #expect(node["a"]?["list"]?.items[1]["other"]?.items.count == 0)
        #expect(node["a"]?["list"]?.items[2].text == "null")
        #expect(node["d"]?.text == "true")
        #expect(throws: OpenAPIYAML.ParseError.self) { try OpenAPIYAML.parse("a: 1\n   b: 2") }
        #expect(node.resolve("#/a/b~1c")?.text == "xA\"y\\")
    }
}
