import Foundation

/// The YAML subset `Docs/openapi.yaml` is written in, read without a YAML library: block maps and block
/// lists by indentation (`- key: value` opens a map in a list), double-quoted or plain scalars, `[]` and
/// `{}`, whole-line `#` comments. Anything else is a `ParseError`, so a test never walks a misread document.
indirect enum OpenAPIYAML {
    case map([(key: String, value: OpenAPIYAML)])
    case list([OpenAPIYAML])
    case scalar(String)

    struct ParseError: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    subscript(key: String) -> OpenAPIYAML? {
        entries.first { $0.key == key }?.value
    }

    var entries: [(key: String, value: OpenAPIYAML)] {
        if case .map(let entries) = self { entries } else { [] }
    }

    var items: [OpenAPIYAML] {
        if case .list(let items) = self { items } else { [] }
    }

    var text: String? {
        if case .scalar(let text) = self { text } else { nil }
    }

    /// The node a local reference (`#/components/schemas/Name`) points at.
    func resolve(_ reference: String) -> OpenAPIYAML? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: OpenAPIYAML? = self
        for part in reference.dropFirst(2).split(separator: "/") {
            node = node?[part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        return node
    }

    static func parse(_ text: String) throws -> OpenAPIYAML {
        var lines: [YAMLLine] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = raw.drop { $0 == " " }
            if content.isEmpty || content.hasPrefix("#") { continue }
            if content.hasPrefix("\t") { throw ParseError(line: index + 1, reason: "a tab indents the line") }
            lines.append(YAMLLine(number: index + 1, indent: raw.count - content.count, text: String(content)))
        }
        guard let first = lines.first else { return .map([]) }
        var reader = YAMLReader(lines: lines)
        let root = try reader.block(indent: first.indent)
        if reader.position < lines.count {
            throw ParseError(line: lines[reader.position].number, reason: "a line outside the document's root")
        }
        return root
    }
}

private struct YAMLLine {
    let number: Int
    let indent: Int
    let text: String
}

private struct YAMLReader {
    var lines: [YAMLLine]
    var position = 0

    mutating func block(indent: Int) throws -> OpenAPIYAML {
        lines[position].text.hasPrefix("- ") ? try list(indent) : try map(indent)
    }

    mutating func list(_ indent: Int) throws -> OpenAPIYAML {
        var items: [OpenAPIYAML] = []
        while position < lines.count, lines[position].indent == indent, lines[position].text.hasPrefix("- ") {
            let line = lines[position]
            let rest = String(line.text.dropFirst(2))
            if try Self.keyed(rest, line: line.number) != nil {
                // `- key: value`: a map whose further keys sit two columns further in.
                lines[position] = YAMLLine(number: line.number, indent: indent + 2, text: rest)
                items.append(try map(indent + 2))
            } else {
                items.append(try Self.scalar(rest, line: line.number))
                position += 1
            }
        }
        try expectNoDeeperLine(than: indent)
        return .list(items)
    }

    mutating func map(_ indent: Int) throws -> OpenAPIYAML {
        var entries: [(key: String, value: OpenAPIYAML)] = []
        while position < lines.count, lines[position].indent == indent, !lines[position].text.hasPrefix("- ") {
            let line = lines[position]
            guard let (key, rest) = try Self.keyed(line.text, line: line.number) else {
                throw OpenAPIYAML.ParseError(line: line.number, reason: "expected `key: value`")
            }
            if entries.contains(where: { $0.key == key }) {
                throw OpenAPIYAML.ParseError(line: line.number, reason: "the key '\(key)' is repeated")
            }
            position += 1
            if !rest.isEmpty {
                entries.append((key, try Self.scalar(rest, line: line.number)))
            } else if position < lines.count, lines[position].indent > indent {
                entries.append((key, try block(indent: lines[position].indent)))
            } else {
                throw OpenAPIYAML.ParseError(line: line.number, reason: "'\(key)' has no value")
            }
        }
        try expectNoDeeperLine(than: indent)
        return .map(entries)
    }

    func expectNoDeeperLine(than indent: Int) throws {
        if position < lines.count, lines[position].indent > indent {
            throw OpenAPIYAML.ParseError(line: lines[position].number, reason: "unexpected indentation")
        }
    }

    /// `key: value` or `key:` split into the key and the rest, or nil when `text` is not keyed.
    static func keyed(_ text: String, line: Int) throws -> (String, String)? {
        let key: String
        var rest: Substring
        if text.hasPrefix("\"") {
            let (decoded, end) = try quoted(text.unicodeScalars, line: line)
            key = decoded
            rest = Substring(String(text.unicodeScalars[end...]))
            guard rest.hasPrefix(":") else { return nil }
        } else {
            guard
                let colon = text.firstRange(of: ": ")
                    ?? (text.hasSuffix(":") ? text.index(before: text.endIndex)..<text.endIndex : nil)
            else { return nil }
            key = String(text[..<colon.lowerBound])
            rest = text[colon.lowerBound...]
        }
        rest = rest.dropFirst()
        guard rest.isEmpty || rest.hasPrefix(" ") else { return nil }
        return (key, rest.trimmingCharacters(in: .whitespaces))
    }

    static func scalar(_ text: String, line: Int) throws -> OpenAPIYAML {
        switch text {
        case "[]": return .list([])
        case "{}": return .map([])
        default: break
        }
        guard text.hasPrefix("\"") else {
            if text.hasPrefix("'") || text.hasPrefix("[") || text.hasPrefix("{") || text.hasPrefix("|")
                || text.hasPrefix(">") || text.hasPrefix("&") || text.hasPrefix("*")
            {
                throw OpenAPIYAML.ParseError(line: line, reason: "a scalar form this reader does not know")
            }
            return .scalar(text)
        }
        let (decoded, end) = try quoted(text.unicodeScalars, line: line)
        guard end == text.unicodeScalars.endIndex else {
            throw OpenAPIYAML.ParseError(line: line, reason: "text after a quoted scalar")
        }
        return .scalar(decoded)
    }

    /// A double-quoted scalar at the start of `scalars`, decoded, and the index after its closing quote.
    static func quoted(
        _ scalars: String.UnicodeScalarView, line: Int
    ) throws -> (String, String.UnicodeScalarView.Index) {
        var result = String.UnicodeScalarView()
        var index = scalars.index(after: scalars.startIndex)
        func fail(_ reason: String) -> OpenAPIYAML.ParseError { OpenAPIYAML.ParseError(line: line, reason: reason) }
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if scalar == "\"" { return (String(result), index) }
            guard scalar == "\\" else {
                result.append(scalar)
                continue
            }
            guard index < scalars.endIndex else { throw fail("a quoted scalar ends in a backslash") }
            let escape = scalars[index]
            index = scalars.index(after: index)
            let simple: [Unicode.Scalar: Unicode.Scalar] = [
                "\"": "\"", "\\": "\\", "/": "/", " ": " ", "0": "\u{0}", "a": "\u{7}", "b": "\u{8}", "t": "\t",
                "n": "\n", "v": "\u{B}", "f": "\u{C}", "r": "\r", "e": "\u{1B}",
            ]
            if let plain = simple[escape] {
                result.append(plain)
                continue
            }
            let digits = ["x": 2, "u": 4, "U": 8][String(escape)]
            guard let digits, scalars.distance(from: index, to: scalars.endIndex) >= digits else {
                throw fail("an unknown escape \\\(escape)")
            }
            let end = scalars.index(index, offsetBy: digits)
            guard let value = UInt32(String(scalars[index..<end]), radix: 16), let decoded = Unicode.Scalar(value)
            else { throw fail("a bad escape \\\(escape)") }
            result.append(decoded)
            index = end
        }
        throw fail("a quoted scalar is not closed")
    }
}
