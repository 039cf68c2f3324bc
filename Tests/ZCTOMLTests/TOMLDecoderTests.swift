import Foundation
import Testing
import ZCTOML

/// Focused decoder tests: error positions and messages, integer range, strings, tables and nesting limits.
@Suite struct TOMLDecoderTests {
    /// The error `text` is rejected with, or `nil` if it decodes.
    private func decodeError(_ text: String) -> TOMLError? {
        do {
            _ = try TOML.decode(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Error positions and messages

    @Test func duplicateKeyReportsLineColumnAndName() throws {
        let error = try #require(decodeError("# agents\nname = \"a\"\nname = \"b\"\n"))
        #expect(error.line == 3)
        #expect(error.column == 1)
        #expect(error.message == "duplicate key 'name'")
        #expect(error.description == "line 3, column 1: duplicate key 'name'")
    }

    @Test func duplicateKeyColumnFollowsIndentationAndNamesTable() throws {
        let error = try #require(decodeError("[server]\nport = 1\n    port = 2\n"))
        #expect(error.line == 3)
        #expect(error.column == 5)
        #expect(error.message == "duplicate key 'port' in table 'server'")
    }

    @Test func duplicateDottedKeyPointsAtItsLastPart() throws {
        let error = try #require(decodeError("a.b = 1\na . b = 2"))
        #expect(error.line == 2)
        #expect(error.column == 5)
        #expect(error.message == "duplicate key 'a.b'")
    }

    @Test func columnCountsUnicodeScalarsNotBytes() throws {
        let error = try #require(decodeError("k = \"üñí\" x"))
        #expect(error.line == 1)
        #expect(error.column == 11)
        #expect(error.message.contains("'x'"))
    }

    @Test func crlfLinesCountAsOneLine() throws {
        let error = try #require(decodeError("a = 1\r\nb = 2\r\nc = ?\r\n"))
        #expect(error.line == 3)
        #expect(error.column == 5)
    }

    @Test func errorAtEndOfDocumentHasAPosition() throws {
        let error = try #require(decodeError("a = [1, 2"))
        #expect(error.line == 1)
        #expect(error.column == 10)
        #expect(error.message.contains("unterminated array"))
    }

    @Test func tableRedefinitionIsReportedAtTheHeader() throws {
        let error = try #require(decodeError("[a]\nx = 1\n\n[a]\n"))
        #expect(error.line == 4)
        #expect(error.column == 2)
        #expect(error.message == "table 'a' is already defined")
    }

    @Test func inlineTablesCannotBeExtended() throws {
        let error = try #require(decodeError("point = { x = 1 }\npoint.y = 2\n"))
        #expect(error.line == 2)
        #expect(error.message == "inline table 'point' cannot be extended")
        #expect(decodeError("point = { x = 1 }\n[point.z]\n") != nil)
    }

    @Test func dottedKeysCannotReopenHeaderTables() throws {
        let error = try #require(decodeError("[a.b]\nx = 1\n[a]\nb.y = 2\n"))
        #expect(error.line == 4)
        #expect(error.message.contains("'a.b'"))
    }

    @Test func invalidUTF8IsRejectedWithAPosition() throws {
        var bytes = Array("ok = 1\nbad = \"".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array("\"\n".utf8)
        do {
            _ = try TOML.decode(bytes: bytes)
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
            #expect(error.message.contains("UTF-8"))
        }
        #expect(throws: TOMLError.self) { try TOML.decode(bytes: [0x61, 0x3D, 0xED, 0xA0, 0x80]) }  // surrogate
        #expect(throws: TOMLError.self) { try TOML.decode(bytes: [0x61, 0x3D, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]) }
    }

    @Test func byteOrderMarkIsSkippedAndNotCountedAsAColumn() throws {
        let table = try TOML.decode(bytes: [0xEF, 0xBB, 0xBF] + Array("a = 1".utf8))
        #expect(table["a"] == .integer(1))
        do {
            _ = try TOML.decode(bytes: [0xEF, 0xBB, 0xBF] + Array("a = ?".utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.column == 5)
        }
    }

    // MARK: - Integers

    @Test func integerRangeIsEnforced() throws {
        let table = try TOML.decode(
            "max = 9223372036854775807\nmin = -9223372036854775808\nhex = 0x7FFF_FFFF_FFFF_FFFF\nbin = 0b1010\n")
        #expect(table["max"] == .integer(.max))
        #expect(table["min"] == .integer(.min))
        #expect(table["hex"] == .integer(.max))
        #expect(table["bin"] == .integer(10))

        let overflow = try #require(decodeError("n = 9223372036854775808"))
        #expect(overflow.message.contains("out of range"))
        #expect(overflow.column == 5)
        #expect(decodeError("n = -9223372036854775809") != nil)
        #expect(decodeError("n = 0x8000000000000000") != nil)
        #expect(decodeError("n = 0o1777777777777777777777") != nil)
        #expect(decodeError("n = 99999999999999999999999999") != nil)
    }

    @Test func integerSyntax() {
        #expect(decodeError("n = 1_000") == nil)
        #expect(decodeError("n = +0") == nil)
        #expect(decodeError("n = 1__0") != nil)
        #expect(decodeError("n = 01") != nil)
        #expect(decodeError("n = -0x1") != nil)
        #expect(decodeError("n = 0X1") != nil)
    }

    // MARK: - Floats

    @Test func specialFloats() throws {
        let table = try TOML.decode("a = inf\nb = -inf\nc = +nan\nd = -0.0\ne = 6.626e-34\nf = 1_000.5")
        #expect(table["a"] == .float(.infinity))
        #expect(table["b"] == .float(-.infinity))
        #expect(table["c"]?.double?.isNaN == true)
        #expect(table["d"]?.double == 0)
        #expect(table["e"] == .float(6.626e-34))
        #expect(table["f"] == .float(1000.5))
        #expect(decodeError("x = 1.") != nil)
        #expect(decodeError("x = .5") != nil)
        #expect(decodeError("x = 1e") != nil)
        #expect(decodeError("x = Inf") != nil)
    }

    // MARK: - Strings

    @Test func stringForms() throws {
        let text = """
            basic = "tab\\t quote\\" \\u00E9 \\U0001F600"
            literal = 'C:\\path\\n'
            multi = \"\"\"
            first \\
                second\"\"\"
            raw = '''
            keep \\n this'''
            quotes = \"\"\"two "" here""\"\"\"
            """
        let table = try TOML.decode(text)
        #expect(table["basic"] == "tab\t quote\" é 😀")
        #expect(table["literal"] == "C:\\path\\n")
        #expect(table["multi"] == "first second")
        #expect(table["raw"] == "keep \\n this")
        #expect(table["quotes"] == "two \"\" here\"\"")
    }

    @Test func multilineStringsNormalizeCRLF() throws {
        let table = try TOML.decode("s = \"\"\"\r\none\r\ntwo\"\"\"\r\n")
        #expect(table["s"] == "one\ntwo")
    }

    @Test func invalidEscapesAndControlCharacters() throws {
        let escape = try #require(decodeError("s = \"bad \\x41\""))
        #expect(escape.message.contains("invalid escape"))
        #expect(escape.column == 10)
        #expect(decodeError("s = \"\\uD800\"") != nil)
        #expect(decodeError("s = \"\\U00110000\"") != nil)
        #expect(decodeError("s = \"a\u{01}b\"") != nil)
        #expect(decodeError("s = 'a\u{7F}b'") != nil)
        #expect(decodeError("# comment \u{00}\n") != nil)
        #expect(decodeError("a = 1\rb = 2") != nil)
    }

    // MARK: - Tables

    @Test func keysKeepDocumentOrder() throws {
        let table = try TOML.decode("zeta = 1\nalpha = 2\n[mid]\nb = 1\na = 2\n")
        #expect(table.keys == ["zeta", "alpha", "mid"])
        #expect(table["mid"]?.table?.keys == ["b", "a"])
    }

    @Test func arraysOfTablesAndSubTables() throws {
        let text = """
            [[agents]]
            name = "scout"
            [agents.limits]
            cpu = 2
            [[agents]]
            name = "ranger"
            """
        let table = try TOML.decode(text)
        let agents = try #require(table["agents"]?.array)
        #expect(agents.count == 2)
        #expect(agents[0]["limits"]?["cpu"]?.integer == 2)
        #expect(agents[1]["name"]?.string == "ranger")
        #expect(table.value(atPath: ["agents"])?[1]?["name"] == "ranger")
    }

    @Test func dateTimeValues() throws {
        let table = try TOML.decode(
            "odt = 1979-05-27 07:32:00.999999-07:00\nldt = 1979-05-27t07:32:00\nld = 2024-02-29\nlt = 23:59:60.5")
        let odt = try #require(table["odt"]?.offsetDateTime)
        #expect(odt.year == 1979 && odt.hour == 7 && odt.nanosecond == 999_999_000 && odt.offsetMinutes == -420)
        #expect(odt.description == "1979-05-27T07:32:00.999999-07:00")
        #expect(table["ldt"]?.localDateTime?.description == "1979-05-27T07:32:00")
        #expect(table["ld"]?.localDate == TOMLLocalDate(year: 2024, month: 2, day: 29))
        #expect(table["lt"]?.localTime?.fraction == "5")
        #expect(decodeError("d = 2023-02-29") != nil)
        #expect(decodeError("d = 1979-05-27T07:32Z") != nil)
    }

    // MARK: - Limits

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = "a = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = try #require(decodeError(deep))
        #expect(error.message.contains("nested"))
        let deepHeader = "[" + Array(repeating: "t", count: 5000).joined(separator: ".") + "]"
        #expect(decodeError(deepHeader) != nil)
        let moderate = "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(decodeError(moderate) == nil)
    }
}
