/// Writes TOML text from a table: plain keys first, then sub-tables as `[a.b]` sections and arrays of tables as
/// `[[a.b]]` sections; everything nested inside arrays or inline tables is written inline.
///
/// Strings are escaped so the output always decodes back to the same value; strings containing line breaks are
/// written as multi-line basic strings when they are the direct value of a key. Floats use the shortest text
/// that round-trips exactly and always read as floats (`1.0`, `inf`, `-inf`, `nan`).
struct TOMLEncoder {
    /// Arrays whose one-line form is longer than this are written one element per line.
    static let maximumInlineArrayLength = 100

    private(set) var output = ""

    /// Writes `table` as a whole document.
    mutating func writeDocument(_ table: TOMLTable) {
        writeBody(of: table, path: [])
    }

    /// Writes the key/value pairs of `table`, then its sections.
    private mutating func writeBody(of table: TOMLTable, path: [String]) {
        for (key, value) in table where !TOMLEncoder.isSection(value) {
            output += TOMLEncoder.renderKey(key) + " = "
            writeInline(value, isKeyValue: true)
            output += "\n"
        }
        for (key, value) in table {
            let childPath = path + [key]
            switch value {
            case .table(let child):
                if TOMLEncoder.needsHeader(child) {
                    startSection("[" + TOMLEncoder.renderPath(childPath) + "]")
                }
                writeBody(of: child, path: childPath)
            case .array(let elements) where TOMLEncoder.isSection(value):
                for case .table(let element) in elements {
                    startSection("[[" + TOMLEncoder.renderPath(childPath) + "]]")
                    writeBody(of: element, path: childPath)
                }
            default:
                continue
            }
        }
    }

    private mutating func startSection(_ header: String) {
        if !output.isEmpty {
            output += "\n"
        }
        output += header + "\n"
    }

    /// Whether `value` is written as a section: a table, or a non-empty array made only of tables.
    static func isSection(_ value: TOMLValue) -> Bool {
        switch value {
        case .table:
            return true
        case .array(let elements):
            return !elements.isEmpty && elements.allSatisfy { if case .table = $0 { true } else { false } }
        default:
            return false
        }
    }

    /// A table needs its own `[header]` unless it only holds sections (which create it implicitly).
    private static func needsHeader(_ table: TOMLTable) -> Bool {
        table.isEmpty || table.contains { !isSection($0.value) }
    }

    // MARK: - Inline values

    /// Writes `value` in inline form. `isKeyValue` marks the direct value of a `key = ` line, which may use
    /// multi-line strings and spread long arrays over several lines.
    mutating func writeInline(_ value: TOMLValue, isKeyValue: Bool = false) {
        switch value {
        case .string(let string):
            if isKeyValue && string.utf8.contains(TOMLByte.lineFeed) {
                output += TOMLEncoder.renderMultilineString(string)
            } else {
                output += TOMLEncoder.renderString(string)
            }
        case .integer(let integer):
            output += String(integer)
        case .float(let float):
            output += TOMLEncoder.renderFloat(float)
        case .boolean(let bool):
            output += bool ? "true" : "false"
        case .offsetDateTime(let dateTime):
            output += dateTime.description
        case .localDateTime(let dateTime):
            output += dateTime.description
        case .localDate(let date):
            output += date.description
        case .localTime(let time):
            output += time.description
        case .array(let elements):
            writeArray(elements, isKeyValue: isKeyValue)
        case .table(let table):
            writeInlineTable(table)
        }
    }

    private mutating func writeArray(_ elements: [TOMLValue], isKeyValue: Bool) {
        let rendered = elements.map { element in
            var writer = TOMLEncoder()
            writer.writeInline(element)
            return writer.output
        }
        let oneLine = "[" + rendered.joined(separator: ", ") + "]"
        if !isKeyValue || oneLine.count <= TOMLEncoder.maximumInlineArrayLength {
            output += oneLine
            return
        }
        output += "[\n"
        for element in rendered {
            output += "    " + element + ",\n"
        }
        output += "]"
    }

    private mutating func writeInlineTable(_ table: TOMLTable) {
        guard !table.isEmpty else {
            output += "{}"
            return
        }
        output += "{ "
        var first = true
        for (key, value) in table {
            if !first {
                output += ", "
            }
            first = false
            output += TOMLEncoder.renderKey(key) + " = "
            writeInline(value)
        }
        output += " }"
    }

    // MARK: - Keys, strings and floats

    /// A key as written in TOML: bare when it only uses `A-Za-z0-9_-`, otherwise a quoted basic string.
    static func renderKey(_ key: String) -> String {
        if !key.isEmpty && key.utf8.allSatisfy(TOMLByte.isBareKeyByte) {
            return key
        }
        return renderString(key)
    }

    /// A dotted key path such as `servers."eu west".ip`.
    static func renderPath(_ path: [String]) -> String {
        path.map(renderKey).joined(separator: ".")
    }

    /// A single-line basic string with quotes, backslashes and control characters escaped.
    static func renderString(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\u{08}": result += "\\b"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\u{0C}": result += "\\f"
            case "\r": result += "\\r"
            default: appendEscapingControls(scalar, to: &result)
            }
        }
        return result + "\""
    }

    /// A multi-line basic string: line feeds and tabs are kept as they are; a quote is escaped when another quote
    /// follows it or it ends the string, so no run of three quotes and no quote before the delimiter can occur.
    static func renderMultilineString(_ string: String) -> String {
        var result = "\"\"\"\n"
        let scalars = Array(string.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\"":
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                result += next == nil || next == "\"" ? "\\\"" : "\""
            case "\\": result += "\\\\"
            case "\n": result += "\n"
            case "\t": result += "\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\r": result += "\\r"
            default: appendEscapingControls(scalar, to: &result)
            }
        }
        return result + "\"\"\""
    }

    private static func appendEscapingControls(_ scalar: Unicode.Scalar, to result: inout String) {
        if scalar.value < 0x20 || scalar.value == 0x7F {
            result += "\\u" + TOMLParser.hex(scalar.value, width: 4)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }

    /// The shortest text that reads back as exactly `value`, always in float form.
    static func renderFloat(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let text = "\(value)"
        let looksLikeFloat = text.utf8.contains { byte in
            byte == TOMLByte.dot || byte == TOMLByte.lowerE || byte == TOMLByte.upperE
        }
        return looksLikeFloat ? text : text + ".0"
    }
}
