import Foundation
import Testing
import ZCTOML

/// Value-level tests: equality rules, accessors, literals, table editing and the date/time types.
@Suite struct TOMLValueTests {
    @Test func equalityTreatsNaNAsEqualAndIgnoresKeyOrder() {
        #expect(TOMLValue.float(.nan) == .float(.nan))
        #expect(TOMLValue.float(-0.0) == .float(0.0))
        #expect(TOMLValue.integer(1) != .float(1))
        let first: TOMLTable = ["a": 1, "b": [.float(.nan)]]
        let second: TOMLTable = ["b": [.float(.nan)], "a": 1]
        #expect(first == second)
        #expect(first.keys != second.keys)
    }

    @Test func accessors() {
        let value: TOMLValue = ["name": "scout", "port": 8080, "ratio": 0.5, "on": true, "tags": ["x"]]
        #expect(value["name"]?.string == "scout")
        #expect(value["port"]?.integer == 8080)
        #expect(value["port"]?.int == 8080)
        #expect(value["port"]?.double == 8080)
        #expect(value["ratio"]?.double == 0.5)
        #expect(value["ratio"]?.integer == nil)
        #expect(value["on"]?.bool == true)
        #expect(value["tags"]?.array == ["x"])
        #expect(value["tags"]?[0] == "x")
        #expect(value["tags"]?[1] == nil)
        #expect(value.table?.count == 5)
        #expect(value["missing"] == nil)
        #expect(value["name"]?["nested"] == nil)
        #expect(value["port"]?.typeName == "integer")
    }

    @Test func literalsAndInterpolation() {
        let port = 9000
        let value: TOMLValue = "http://localhost:\(port)"
        #expect(value == .string("http://localhost:9000"))
        #expect(TOMLValue.array([1, "two", 3.0, false]).description == "[1, \"two\", 3.0, false]")
        #expect(TOMLValue.table(["a": ["b": 1]]).description == "{ a = { b = 1 } }")
    }

    @Test func initializersFromSwiftValues() {
        let port = 8080
        let names = ["a", "b"]
        let table: TOMLTable = [
            "port": TOMLValue(port), "big": TOMLValue(Int64.max), "ratio": TOMLValue(0.25),
            "on": TOMLValue(true), "name": TOMLValue("x"), "names": TOMLValue(names.map { TOMLValue($0) }),
            "sub": TOMLValue(TOMLTable()),
        ]
        #expect(table["port"] == .integer(8080))
        #expect(table["big"] == .integer(.max))
        #expect(table["ratio"] == .float(0.25))
        #expect(table["on"] == .boolean(true))
        #expect(table["name"] == .string("x"))
        #expect(table["names"] == ["a", "b"])
        #expect(table["sub"] == .table([:]))
    }

    @Test func tableEditingKeepsInsertionOrder() {
        var table = TOMLTable()
        #expect(table.isEmpty)
        table["b"] = 1
        table["a"] = 2
        table.set(3, forKey: "c")
        table["b"] = 10
        #expect(table.keys == ["b", "a", "c"])
        #expect(table["b"] == 10)
        #expect(table.remove("a") == 2)
        #expect(table.remove("zzz") == nil)
        table["c"] = nil
        #expect(table.keys == ["b"])
        #expect(table.count == 1)
        #expect(table.contains(key: "b"))
        #expect(table.map(\.key) == ["b"])
        #expect(Array(table.values) == [10])
    }

    @Test func localDateValidation() {
        #expect(TOMLLocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(TOMLLocalDate(year: 2023, month: 2, day: 29) == nil)
        #expect(TOMLLocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(TOMLLocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(TOMLLocalDate(year: 2024, month: 4, day: 31) == nil)
        #expect(TOMLLocalDate(year: 2024, month: 13, day: 1) == nil)
        #expect(TOMLLocalDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(TOMLLocalDate(year: 7, month: 1, day: 2)?.description == "0007-01-02")
    }

    @Test func timesKeepTheirFraction() throws {
        let time = try #require(TOMLLocalTime("10:00:00.123456789012"))
        #expect(time.fraction == "123456789012")
        #expect(time.nanosecond == 123_456_789)
        #expect(time.description == "10:00:00.123456789012")
        #expect(TOMLLocalTime("10:00:00.5") == TOMLLocalTime("10:00:00.500"))
        #expect(TOMLLocalTime("10:00:00.5") != TOMLLocalTime("10:00:00.05"))
        let early = try #require(TOMLLocalTime("10:00:00.05"))
        let late = try #require(TOMLLocalTime("10:00:00.5"))
        #expect(early < late)
        #expect(TOMLLocalTime(hour: 24, minute: 0, second: 0) == nil)
        #expect(TOMLLocalTime(hour: 1, minute: 2, second: 3, fraction: "1a") == nil)
    }

    @Test func dateTimesParseFromStrings() throws {
        let dateTime = try #require(TOMLOffsetDateTime("1979-05-27 07:32:00z"))
        #expect(dateTime.description == "1979-05-27T07:32:00Z")
        #expect(TOMLOffsetDateTime("1979-05-27T07:32:00+05:30")?.offsetMinutes == 330)
        #expect(TOMLOffsetDateTime("1979-05-27T07:32:00") == nil)
        #expect(TOMLLocalDateTime("1979-05-27T07:32:00")?.hour == 7)
        #expect(TOMLLocalDate("1979-05-27")?.day == 27)
        #expect(TOMLLocalDate("1979-05-27 ") == nil)
        #expect(TOMLLocalDate("\u{FEFF}1979-05-27") == nil)
        #expect(TOMLLocalTime("07:32") == nil)
    }

    @Test func offsetDateTimesConvertToFoundationDates() throws {
        let value = try #require(TOMLOffsetDateTime("1979-05-27T00:32:00.5-07:00"))
        let utc = try #require(TOMLOffsetDateTime("1979-05-27T07:32:00.5Z"))
        #expect(value != utc)
        #expect(value.instantEquals(utc))
        #expect(value.foundationDate == utc.foundationDate)
        #expect(value.foundationDate.timeIntervalSince1970 == 296_638_320.5)

        let date = Date(timeIntervalSince1970: 1_700_000_000.25)
        let converted = try #require(TOMLOffsetDateTime(date, offsetMinutes: 60))
        #expect(converted.description == "2023-11-14T23:13:20.25+01:00")
        #expect(converted.foundationDate == date)
        let beforeEpoch = try #require(TOMLOffsetDateTime(Date(timeIntervalSince1970: -1), offsetMinutes: 0))
        #expect(beforeEpoch.description == "1969-12-31T23:59:59Z")
        #expect(TOMLOffsetDateTime(Date.distantFuture.addingTimeInterval(1e12)) == nil)
    }

    @Test func errorsAreDescriptive() {
        let error = TOMLError(line: 3, column: 7, message: "duplicate key 'name'")
        #expect(error.description == "line 3, column 7: duplicate key 'name'")
        #expect("\(error)" == "line 3, column 7: duplicate key 'name'")
        #expect(error.localizedDescription == "line 3, column 7: duplicate key 'name'")
    }
}
