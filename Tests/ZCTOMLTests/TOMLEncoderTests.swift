import Foundation
import Testing
import ZCTOML

/// Encoder tests: exact output for the layouts the platform writes, and round trips of awkward values.
@Suite struct TOMLEncoderTests {
    /// Asserts `table` round-trips through text and returns the text.
    @discardableResult
    private func roundTrip(_ table: TOMLTable, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let text = TOML.encode(table)
        let decoded = try TOML.decode(text)
        #expect(decoded == table, "round trip changed the table; encoded:\n\(text)", sourceLocation: sourceLocation)
        return text
    }

    @Test func stringsNeedingEscapes() throws {
        let table: TOMLTable = [
            "quote": "say \"hi\"",
            "backslash": "C:\\temp\\new",
            "controls": "tab\tbell\u{07}del\u{7F}cr\rff\u{0C}bs\u{08}nul\u{00}",
            "unicode": "é 日本 😀",
        ]
        let text = try roundTrip(table)
        #expect(
            text == """
                quote = "say \\"hi\\""
                backslash = "C:\\\\temp\\\\new"
                controls = "tab\\tbell\\u0007del\\u007Fcr\\rff\\fbs\\bnul\\u0000"
                unicode = "é 日本 😀"

                """)
    }

    @Test func multilineStrings() throws {
        let table: TOMLTable = ["prompt": "You are a scout.\nBe brief.\n"]
        let text = try roundTrip(table)
        #expect(text == "prompt = \"\"\"\nYou are a scout.\nBe brief.\n\"\"\"\n")

        let awkward: [String] = [
            "\n", "\n\n", "a\"\"\"b\n", "\"\n\"", "ends with quote\n\"", "ends with two\n\"\"",
            "backslash at end\\\n\\", "crlf\r\nline", "\"\"\"\"\"\"\n", "tab\tand\nnewline\u{01}",
        ]
        for string in awkward {
            try roundTrip(["s": .string(string)])
            try roundTrip(["s": [.string(string)]])
        }
    }

    @Test func keysNeedingQuotes() throws {
        let table: TOMLTable = [
            "plain-key_1": 1, "a b": 2, "": 3, "ü": 4, "a.b": 5, "quote\"": 6, "1234": 7,
        ]
        let text = try roundTrip(table)
        #expect(
            text == """
                plain-key_1 = 1
                "a b" = 2
                "" = 3
                "ü" = 4
                "a.b" = 5
                "quote\\"" = 6
                1234 = 7

                """)
    }

    @Test func nestedTablesAndArraysOfTables() throws {
        let table: TOMLTable = [
            "title": "demo",
            "server": ["host": "localhost", "port": 8080, "tls": ["cert": "a.pem"]],
            "agents": [["name": "scout"], ["name": "ranger", "tags": ["a", "b"]]],
        ]
        let text = try roundTrip(table)
        #expect(
            text == """
                title = "demo"

                [server]
                host = "localhost"
                port = 8080

                [server.tls]
                cert = "a.pem"

                [[agents]]
                name = "scout"

                [[agents]]
                name = "ranger"
                tags = ["a", "b"]

                """)
    }

    @Test func scalarsComeBeforeSubTablesAndIntermediateHeadersAreSkipped() throws {
        let table: TOMLTable = ["sub": ["deep": ["x": 1]], "after": true, "odd key": ["k": "v"]]
        let text = try roundTrip(table)
        #expect(
            text == """
                after = true

                [sub.deep]
                x = 1

                ["odd key"]
                k = "v"

                """)
    }

    @Test func arraysOfTablesWithNestedSections() throws {
        let table: TOMLTable = [
            "fleet": [
                ["name": "a", "env": ["HOME": "/a"], "ports": [["n": 1], ["n": 2]]],
                ["name": "b"],
            ]
        ]
        let text = try roundTrip(table)
        #expect(
            text == """
                [[fleet]]
                name = "a"

                [fleet.env]
                HOME = "/a"

                [[fleet.ports]]
                n = 1

                [[fleet.ports]]
                n = 2

                [[fleet]]
                name = "b"

                """)
    }

    @Test func inlineTablesInsideArrays() throws {
        let table: TOMLTable = [
            "mixed": [1, ["x": 1, "y": ["z": true]], "s"],
            "grid": [[["a": 1]], [["a": 2]]],
            "empty": [],
            "points": ["list": [["x": 1], [:]], "inline": [[:], 2]],
        ]
        let text = try roundTrip(table)
        #expect(
            text == """
                mixed = [1, { x = 1, y = { z = true } }, "s"]
                grid = [[{ a = 1 }], [{ a = 2 }]]
                empty = []

                [points]
                inline = [{}, 2]

                [[points.list]]
                x = 1

                [[points.list]]

                """)
    }

    @Test func emptyTables() throws {
        #expect(TOML.encode(TOMLTable()) == "")
        let table: TOMLTable = ["a": [:], "b": ["c": [:]], "d": ["e": 1, "f": [:]]]
        let text = try roundTrip(table)
        #expect(
            text == """
                [a]

                [b.c]

                [d]
                e = 1

                [d.f]

                """)
    }

    @Test func datesAreRFC3339() throws {
        let date = try #require(TOMLLocalDate(year: 1979, month: 5, day: 27))
        let time = try #require(TOMLLocalTime(hour: 7, minute: 32, second: 0, nanosecond: 999_000_000))
        let offset = try #require(TOMLOffsetDateTime(date: date, time: time, offsetMinutes: -7 * 60))
        let utc = try #require(TOMLOffsetDateTime(date: date, time: time, offsetMinutes: 0))
        let table: TOMLTable = [
            "odt": .offsetDateTime(offset), "utc": .offsetDateTime(utc),
            "ldt": .localDateTime(TOMLLocalDateTime(date: date, time: time)),
            "ld": .localDate(date), "lt": .localTime(time),
        ]
        let text = try roundTrip(table)
        #expect(
            text == """
                odt = 1979-05-27T07:32:00.999-07:00
                utc = 1979-05-27T07:32:00.999Z
                ldt = 1979-05-27T07:32:00.999
                ld = 1979-05-27
                lt = 07:32:00.999

                """)
    }

    @Test func floatsAlwaysLookLikeFloatsAndRoundTrip() throws {
        let table: TOMLTable = [
            "one": 1.0, "tenth": 0.1, "neg": -2.5, "big": 1e300, "tiny": .float(.leastNonzeroMagnitude),
            "inf": .float(.infinity),
            "ninf": .float(-.infinity), "nan": .float(.nan), "negzero": -0.0, "large": 1e16,
        ]
        let text = try roundTrip(table)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("one = 1.0"))
        #expect(lines.contains("tenth = 0.1"))
        #expect(lines.contains("inf = inf"))
        #expect(lines.contains("ninf = -inf"))
        #expect(lines.contains("nan = nan"))
        #expect(lines.contains("negzero = -0.0"))
        for value in [Double.pi, 1.0 / 3.0, 123_456_789.123_456_789, Double.greatestFiniteMagnitude, 2e-308] {
            let decoded = try TOML.decode(TOML.encode(["x": .float(value)]))
            #expect(decoded["x"]?.double?.bitPattern == value.bitPattern)
        }
    }

    @Test func longArraysSpreadOverLines() throws {
        let names: [TOMLValue] = (1...12).map { .string("agent-number-\($0)") }
        let text = try roundTrip(["names": .array(names)])
        #expect(text.hasPrefix("names = [\n    \"agent-number-1\",\n"))
        #expect(text.hasSuffix("    \"agent-number-12\",\n]\n"))
    }

    @Test func integersAndBooleans() throws {
        let text = try roundTrip(["min": .integer(.min), "max": .integer(.max), "yes": true, "no": false])
        #expect(text == "min = -9223372036854775808\nmax = 9223372036854775807\nyes = true\nno = false\n")
    }
}
