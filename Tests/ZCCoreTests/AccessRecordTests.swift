import Foundation
import Testing
import ZCCore

/// An access record becomes the same line whether a handler formats it directly (the buffered writer) or
/// stores the equivalent `LogRecord` (memory, stream): same keys, same order, same quoting, both formats.
@Suite("Access-log records")
struct AccessRecordTests {
    static let records = [
        AccessRecord(
            time: 1_796_000_000_123_456_789, method: "GET", route: "/api/tenants/{id}", path: "/api/tenants/acme",
            status: 200, nanoseconds: 1_234_567, bytes: 512, client: "127.0.0.1", requestID: "r-1"),
        AccessRecord(
            time: 1_796_000_000_999_999_999, method: "POST", route: nil, path: "/a path/\"quoted\"=x\n",
            status: 404, nanoseconds: 0, bytes: nil, client: "::1", requestID: ""),
        AccessRecord(
            time: 0, method: "PATCH", route: "/x", path: "/x", status: 503, nanoseconds: 12_345_678_901_234,
            bytes: 0, client: "10.0.0.1", requestID: "ünïcode"),
    ]

    @Test("the direct rendering is the rendering of the equivalent LogRecord", arguments: LogFormat.allCases)
    func sameLine(format: LogFormat) {
        let prefix = [("node", "n1"), ("component", "api server")]
        for record in Self.records {
            var direct: [UInt8] = []
            var times = LogTimeCache()
            format.render(record, label: "http", fields: prefix, into: &direct, times: &times)
            let stored = format.render(record.logRecord(label: "http", fields: prefix))
            #expect(String(decoding: direct, as: UTF8.self) == stored)
        }
    }

    @Test("the line names the request's facts as the access log always has")
    func fields() {
        let line = LogFormat.logfmt.render(Self.records[0].logRecord(label: "http", fields: []))
        #expect(
            line
                == "time=2026-11-30T00:53:20.123Z level=info logger=http event=http.request method=GET "
                + "route=/api/tenants/{id} path=/api/tenants/acme status=200 ms=1.23 bytes=512 client=127.0.0.1 "
                + "request_id=r-1")
        let streamed = LogFormat.logfmt.render(Self.records[1].logRecord(label: "http", fields: []))
        #expect(streamed.contains(" route=- ") && streamed.contains(" bytes=stream ") && streamed.contains(" ms=0.0 "))
    }

    @Test("a client's path or request id cannot forge a field or a second line", arguments: LogFormat.allCases)
    func hostileFields(format: LogFormat) {
        let forged = AccessRecord(
            time: 0, method: "GET", route: nil, path: "/x\ntime=1 level=error event=forged\" status=500",
            status: 404, nanoseconds: 1, bytes: 0, client: "203.0.113.7", requestID: "id=1 user=0")
        var bytes: [UInt8] = []
        var times = LogTimeCache()
        format.render(forged, label: "http", fields: [], into: &bytes, times: &times)
        let line = String(decoding: bytes, as: UTF8.self)
        #expect(!line.contains("\n"), "one line: \(line)")
        switch format {
        case .logfmt:
            #expect(line.contains(#" path="/x\ntime=1 level=error event=forged\" status=500" "#), "\(line)")
            #expect(line.contains(#" request_id="id=1 user=0""#), "\(line)")
            let pairs = Self.logfmtPairs(line)
            #expect(pairs.filter { $0.0 == "status" }.map(\.1) == ["404"], "the real status only: \(pairs)")
            #expect(pairs.filter { $0.0 == "level" }.map(\.1) == ["info"], "\(pairs)")
            #expect(pairs.first { $0.0 == "path" }?.1 == #""/x\ntime=1 level=error event=forged\" status=500""#)
        case .json:
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String]
            #expect(
                object?["path"] == forged.path && object?["status"] == "404" && object?["request_id"] == "id=1 user=0")
        }
    }

    /// `key=value` pairs of a logfmt line as a reader splits them: a value in quotes runs to the
    /// closing quote that is not escaped (kept with its quotes and escapes).
    static func logfmtPairs(_ line: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        var rest = Substring(line)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = String(rest[..<equals])
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                var escaped = false
                var index = rest.index(after: rest.startIndex)
                while index < rest.endIndex, escaped || rest[index] != "\"" {
                    escaped = !escaped && rest[index] == "\\"
                    index = rest.index(after: index)
                }
                let end = index < rest.endIndex ? rest.index(after: index) : index
                value = String(rest[..<end])
                rest = rest[end...]
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            pairs.append((key, value))
        }
        return pairs
    }

    @Test("milliseconds are rounded to hundredths and written as a number is")
    func milliseconds() {
        let cases: [(Int64, String)] = [
            (0, "0.0"), (4_999, "0.0"), (5_000, "0.01"), (50_000, "0.05"), (100_000, "0.1"), (1_500_000, "1.5"),
            (3_000_000, "3.0"), (2_994_999, "2.99"), (2_995_000, "3.0"), (-7, "0.0"), (61_234_560_000, "61234.56"),
        ]
        for (nanoseconds, expected) in cases {
            let record = AccessRecord(
                time: 0, method: "GET", route: nil, path: "/", status: 200, nanoseconds: nanoseconds, bytes: 0,
                client: "c", requestID: "r")
            let ms = record.fields.first { $0.0 == "ms" }?.1
            #expect(ms == expected, "\(nanoseconds) ns")
            if nanoseconds >= 0, nanoseconds % 10_000 != 5_000 {
                // What the line said before records were formatted off the request's path (halves aside: binary
                // floating point rounds those either way).
                let double = Double(nanoseconds) / 1e6
                #expect(ms == String((double * 100).rounded() / 100), "\(nanoseconds) ns")
            }
        }
    }

    @Test("a logger hands an access record to its handler at info, with its own fields first")
    func logger() {
        let memory = InMemoryLogHandler()
        Logger(label: "http", handler: memory).with("node", "n1").access(Self.records[0])
        Logger(label: "http", minimumLevel: .warning, handler: memory).access(Self.records[0])
        #expect(memory.records.count == 1)
        #expect(memory.records.first?.level == .info)
        #expect(memory.records.first?.fields.first.map { [$0.0, $0.1] } == ["node", "n1"])
    }
}
