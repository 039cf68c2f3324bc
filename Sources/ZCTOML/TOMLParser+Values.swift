/// Value dispatch, booleans, arrays and inline tables.
extension TOMLParser {
    /// Parses the value starting at the current position.
    mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else {
            throw error("expected a value but reached the end of the document", at: position)
        }
        switch byte {
        case TOMLByte.quote:
            if peek(1) == TOMLByte.quote && peek(2) == TOMLByte.quote {
                return .string(try parseMultilineBasicString())
            }
            return .string(try parseBasicString())
        case TOMLByte.apostrophe:
            if peek(1) == TOMLByte.apostrophe && peek(2) == TOMLByte.apostrophe {
                return .string(try parseMultilineLiteralString())
            }
            return .string(try parseLiteralString())
        case TOMLByte.lowerT:
            return try parseKeyword("true", value: .boolean(true))
        case TOMLByte.lowerF:
            return try parseKeyword("false", value: .boolean(false))
        case TOMLByte.openBracket:
            return try parseArray()
        case TOMLByte.openBrace:
            return try parseInlineTable()
        case TOMLByte.zero...TOMLByte.nine, TOMLByte.plus, TOMLByte.minus, TOMLByte.lowerI, TOMLByte.lowerN:
            return try parseNumberOrDateTime()
        default:
            throw unexpected(expecting: "a value")
        }
    }

    /// Parses `true` or `false`, which must not run on into other key-like characters.
    private mutating func parseKeyword(_ word: String, value: TOMLValue) throws(TOMLError) -> TOMLValue {
        let start = position
        var end = position
        while end < bytes.count, TOMLByte.isBareKeyByte(bytes[end]) || bytes[end] == TOMLByte.dot {
            end += 1
        }
        guard bytes[start..<end].elementsEqual(word.utf8) else {
            let found = String(decoding: bytes[start..<end], as: UTF8.self)
            throw error("invalid value '\(found)' (booleans are lowercase 'true' and 'false')", at: start)
        }
        position = end
        return value
    }

    /// Parses `[ value, value, ... ]`; newlines, comments and a trailing comma are allowed.
    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        let start = position
        try enterNestedValue(at: start)
        defer { valueDepth -= 1 }
        position += 1
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceNewlinesAndComments()
            guard let byte = peek() else {
                throw error("unterminated array: expected ']' before the end of the document", at: position)
            }
            if byte == TOMLByte.closeBracket {
                position += 1
                return .array(elements)
            }
            if byte == TOMLByte.comma {
                throw error(
                    elements.isEmpty ? "expected a value before ','" : "expected a value between commas",
                    at: position)
            }
            elements.append(try parseValue())
            try skipWhitespaceNewlinesAndComments()
            switch peek() {
            case TOMLByte.comma?:
                position += 1
            case TOMLByte.closeBracket?:
                position += 1
                return .array(elements)
            case nil:
                throw error("unterminated array: expected ']' before the end of the document", at: position)
            default:
                throw unexpected(expecting: "',' or ']' in the array")
            }
        }
    }

    /// Parses `{ key = value, ... }` on one line, with no trailing comma.
    private mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        let start = position
        try enterNestedValue(at: start)
        defer { valueDepth -= 1 }
        position += 1
        let node = TOMLTableNode(origin: .dotted, path: [], depth: valueDepth)
        skipWhitespace()
        if peek() == TOMLByte.closeBrace {
            position += 1
            return .table(TOMLTable())
        }
        while true {
            skipWhitespace()
            try checkInlineTableContinues(start: start)
            if peek() == TOMLByte.closeBrace {
                throw error("a trailing comma is not allowed in an inline table", at: position)
            }
            try parseKeyValue(into: node)
            skipWhitespace()
            try checkInlineTableContinues(start: start)
            switch peek() {
            case TOMLByte.comma?:
                position += 1
            case TOMLByte.closeBrace?:
                position += 1
                return .table(node.makeTable())
            default:
                throw unexpected(expecting: "',' or '}' in the inline table")
            }
        }
    }

    /// Rejects the end of the document and line breaks inside an inline table.
    private func checkInlineTableContinues(start: Int) throws(TOMLError) {
        switch peek() {
        case nil:
            throw error("unterminated inline table: expected '}' before the end of the document", at: position)
        case TOMLByte.lineFeed?, TOMLByte.carriageReturn?:
            throw error("an inline table must be on a single line", at: position)
        case TOMLByte.hash?:
            throw error("an inline table cannot contain a comment", at: position)
        default:
            return
        }
    }

    private mutating func enterNestedValue(at start: Int) throws(TOMLError) {
        valueDepth += 1
        guard valueDepth <= TOMLParser.maximumDepth else {
            valueDepth -= 1
            throw error("values are nested more than \(TOMLParser.maximumDepth) levels deep", at: start)
        }
    }
}
