/// A recursive-descent TOML 1.0 parser over UTF-8 bytes.
///
/// The document is validated as UTF-8 up front, then read in one pass: key/value pairs and `[table]` /
/// `[[array]]` headers are applied to a mutable tree of `TOMLTableNode`s that enforces TOML's definition rules,
/// and the tree is frozen into a `TOMLTable` at the end. Every error carries the position it was found at.
struct TOMLParser {
    /// The deepest nesting accepted, for tables and for arrays / inline tables within one value.
    static let maximumDepth = 256

    let bytes: [UInt8]
    var position: Int
    /// Where the document starts: 3 when it opens with a byte-order mark, else 0.
    let contentStart: Int
    /// How many arrays and inline tables enclose the value being parsed.
    var valueDepth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        contentStart = hasBOM ? 3 : 0
        position = contentStart
    }

    /// Parses the whole document.
    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        try validateUTF8()
        let root = TOMLTableNode(origin: .root, path: [], depth: 0)
        var current = root
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case TOMLByte.hash:
                try skipComment()
                try expectLineEnd(after: "comment")
            case TOMLByte.lineFeed, TOMLByte.carriageReturn:
                try expectLineEnd(after: "line")
            case TOMLByte.openBracket:
                current = try parseHeader(root: root)
                try expectLineEnd(after: "table header")
            default:
                try parseKeyValue(into: current)
                try expectLineEnd(after: "value")
            }
        }
        return root.makeTable()
    }

    // MARK: - Headers and key/value pairs

    /// Parses `[key]` or `[[key]]` and returns the table that following key/value pairs go into.
    mutating func parseHeader(root: TOMLTableNode) throws(TOMLError) -> TOMLTableNode {
        let start = position
        position += 1
        let isArray = peek() == TOMLByte.openBracket
        if isArray { position += 1 }
        skipWhitespace()
        let key = try parseKey()
        guard peek() == TOMLByte.closeBracket else {
            throw unexpected(
                expecting: isArray ? "']]' to close the array of tables header" : "']' to close the header")
        }
        position += 1
        if isArray {
            guard peek() == TOMLByte.closeBracket else {
                throw unexpected(expecting: "']]' to close the array of tables header")
            }
            position += 1
        }
        return try openTable(at: key, isArray: isArray, root: root, headerStart: start)
    }

    /// Parses `key = value` and stores it in `table`.
    mutating func parseKeyValue(into table: TOMLTableNode) throws(TOMLError) {
        let key = try parseKey()
        guard peek() == TOMLByte.equals else {
            throw unexpected(expecting: "'=' after the key \(TOMLParser.quotedPath(key.map(\.name)))")
        }
        position += 1
        skipWhitespace()
        let savedDepth = valueDepth
        defer { valueDepth = savedDepth }
        valueDepth = table.depth + key.count
        guard valueDepth <= TOMLParser.maximumDepth else {
            let keyStart = key.first?.offset ?? position
            throw error("tables are nested more than \(TOMLParser.maximumDepth) levels deep", at: keyStart)
        }
        let value = try parseValue()
        try insert(value, at: key, into: table)
    }

    /// Parses a possibly dotted key and the whitespace after it.
    mutating func parseKey() throws(TOMLError) -> [TOMLKeyPart] {
        var parts: [TOMLKeyPart] = []
        while true {
            parts.append(try parseSimpleKey())
            skipWhitespace()
            guard peek() == TOMLByte.dot else { return parts }
            position += 1
            skipWhitespace()
        }
    }

    /// Parses a bare, basic-quoted or literal-quoted key.
    mutating func parseSimpleKey() throws(TOMLError) -> TOMLKeyPart {
        let start = position
        guard let byte = peek() else { throw error("expected a key but reached the end of the document", at: start) }
        switch byte {
        case TOMLByte.quote, TOMLByte.apostrophe:
            if peek(1) == byte && peek(2) == byte {
                throw error("a multi-line string cannot be used as a key", at: start)
            }
            let name: String
            if byte == TOMLByte.quote {
                name = try parseBasicString()
            } else {
                name = try parseLiteralString()
            }
            return TOMLKeyPart(name: name, offset: start)
        default:
            while let next = peek(), TOMLByte.isBareKeyByte(next) {
                position += 1
            }
            guard position > start else { throw unexpected(expecting: "a key") }
            return TOMLKeyPart(name: String(decoding: bytes[start..<position], as: UTF8.self), offset: start)
        }
    }

    // MARK: - Whitespace, comments and line ends

    func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    mutating func skipWhitespace() {
        while position < bytes.count, TOMLByte.isWhitespace(bytes[position]) {
            position += 1
        }
    }

    /// Consumes a `\n` or `\r\n` if one is next; throws on a carriage return not followed by a line feed.
    mutating func consumeNewline() throws(TOMLError) -> Bool {
        guard let byte = peek() else { return false }
        if byte == TOMLByte.lineFeed {
            position += 1
            return true
        }
        if byte == TOMLByte.carriageReturn {
            guard peek(1) == TOMLByte.lineFeed else {
                throw error("a carriage return must be followed by a line feed", at: position)
            }
            position += 2
            return true
        }
        return false
    }

    /// Skips a comment from its `#` up to (not including) the end of the line.
    mutating func skipComment() throws(TOMLError) {
        position += 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == TOMLByte.lineFeed { return }
            if byte == TOMLByte.carriageReturn {
                guard peek(1) == TOMLByte.lineFeed else {
                    throw error("a carriage return must be followed by a line feed", at: position)
                }
                return
            }
            if TOMLByte.isForbiddenControl(byte) {
                throw error(
                    "control character \(describeCharacter(at: position)) is not allowed in a comment",
                    at: position)
            }
            position += 1
        }
    }

    /// After a header or key/value pair: optional whitespace and comment, then a newline or the end.
    mutating func expectLineEnd(after what: String) throws(TOMLError) {
        skipWhitespace()
        if peek() == TOMLByte.hash {
            try skipComment()
        }
        guard position < bytes.count else { return }
        guard try consumeNewline() else {
            throw unexpected(expecting: "a newline after the \(what)")
        }
    }

    /// Skips whitespace, newlines and comments (inside arrays).
    mutating func skipWhitespaceNewlinesAndComments() throws(TOMLError) {
        while true {
            skipWhitespace()
            if peek() == TOMLByte.hash {
                try skipComment()
            }
            guard try consumeNewline() else { return }
        }
    }

    // MARK: - Errors

    /// An error at byte `offset`, with its line and column worked out from the text before it.
    func error(_ message: String, at offset: Int) -> TOMLError {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = contentStart
        var index = contentStart
        while index < end {
            if bytes[index] == TOMLByte.lineFeed {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        var column = 1
        index = lineStart
        while index < end {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return TOMLError(line: line, column: column, message: message)
    }

    /// "expected X but found Y" at the current position.
    func unexpected(expecting expected: String) -> TOMLError {
        error("expected \(expected) but found \(describeCharacter(at: position))", at: position)
    }

    /// A readable name for the character at `offset`: `'x'`, `U+000C`, `a newline` or `the end of the document`.
    func describeCharacter(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the document" }
        let byte = bytes[offset]
        switch byte {
        case TOMLByte.lineFeed: return "a newline"
        case TOMLByte.carriageReturn: return "a carriage return"
        case TOMLByte.tab: return "a tab"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case TOMLByte.space: return "a space"
        default: break
        }
        guard let scalar = scalar(at: offset) else { return "byte 0x" + TOMLParser.hex(UInt32(byte), width: 2) }
        let code = "U+" + TOMLParser.hex(scalar.value, width: 4)
        return scalar.value < 0x80 ? code : "'\(Character(scalar))' (\(code))"
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// A dotted key written back in TOML form and quoted for messages, e.g. `'server.port'`.
    static func quotedPath(_ names: [String]) -> String {
        "'" + TOMLEncoder.renderPath(names) + "'"
    }
}

/// One component of a dotted key, with the byte offset it started at (for error positions).
struct TOMLKeyPart {
    let name: String
    let offset: Int
}
