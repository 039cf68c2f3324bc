import Foundation
import Testing
import ZCHTTP

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("what it writes parses back to the same values: escapes, nesting, numbers, times, nil fields left out")
    func roundTrip() throws {
        var json = JSONWriter()
        let hostile = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} é 🦀 \u{2028}"
        json.beginObject()
        json.field("absent", nil as String?)
        json.field("at", utcSeconds: 1_800_000_000)
        json.field("hostile", hostile)
        json.key("list")
        json.beginArray()
        json.int(-42)
        json.double(12.35)
        json.double(.nan)
        json.bool(true)
        json.null()
        json.beginObject()
        json.endObject()
        json.endArray()
        json.field("ratio", 0.5 as Double?)
        json.endObject()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        #expect(parsed["absent"] == nil)
        #expect(parsed["at"] as? String == "2027-01-15T08:00:00Z")
        #expect(parsed["hostile"] as? String == hostile)
        let list = try #require(parsed["list"] as? [Any])
        #expect(list.count == 6)
        #expect(list[0] as? Int == -42 && list[1] as? Double == 12.35 && list[2] is NSNull && list[3] as? Bool == true)
        #expect(parsed["ratio"] as? Double == 0.5)
        #expect(!String(decoding: json.bytes, as: UTF8.self).contains("\n"), "control characters are escaped")
    }

    @Test("strings and integers are written byte for byte as JSONBody's encoder writes them (fixed seed)")
    func sameAsEncoder() throws {
        let alphabet: [String] = [
            "a", "Z", "0", " ", "/", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "🦀", "\u{2028}",
            "=",
        ]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let encoder = JSONBody.encoder()
        for _ in 0..<2_000 {
            let text = (0..<Int(next() % 12)).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }.joined()
            var json = JSONWriter()
            json.string(text)
            #expect(json.bytes == Array(try encoder.encode(text)), "\(text.debugDescription)")
        }
        for number in [Int64.min, Int64.min + 1, -1, 0, 7, 10, 1_000_000, Int64.max] {
            var json = JSONWriter()
            json.int(number)
            #expect(json.bytes == Array(try encoder.encode(number)), "\(number)")
        }
    }
}
