import Testing
import ZCCore

@testable import DockerRuntime

@Suite("Docker's multiplexed stream")
struct DockerFrameDecoderTests {
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let size = UInt32(payload.count)
        return [
            stream, 0, 0, 0, UInt8(size >> 24), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff),
        ]
            + payload
    }

    /// Decodes `bytes` fed in pieces cut at `cuts`, then splits the payloads into lines.
    static func lines(_ bytes: [UInt8], cutAt cuts: [Int]) throws -> [LogLine] {
        var decoder = DockerFrameDecoder()
        var splitter = LogLineSplitter()
        var lines: [LogLine] = []
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            for (stream, payload) in try decoder.append(bytes[start..<end]) {
                lines += splitter.append(payload, from: stream)
            }
            start = end
        }
        #expect(decoder.pendingBytes == 0)
        return lines + splitter.finish()
    }

    @Test("frames and lines come out whole wherever the reads cut them")
    func everyCut() throws {
        let bytes =
            Self.frame(1, "first line\nsecond ") + Self.frame(2, "an error\r\n") + Self.frame(1, "line\n")
            + Self.frame(0, "stdin is dropped\n") + Self.frame(1, "no newline at the end")
        let expected = [
            LogLine(stream: .stdout, text: "first line"), LogLine(stream: .stderr, text: "an error"),
            LogLine(stream: .stdout, text: "second line"), LogLine(stream: .stdout, text: "no newline at the end"),
        ]
        for cut in 0...bytes.count {
            #expect(try Self.lines(bytes, cutAt: [cut]) == expected, "cut at \(cut)")
        }
        // One byte at a time.
        #expect(try Self.lines(bytes, cutAt: Array(0...bytes.count)) == expected)
    }

    @Test("a header that is not Docker's is refused, as is an oversize frame")
    func malformed() {
        var decoder = DockerFrameDecoder()
        #expect(throws: DockerFrameDecoder.MalformedStream.self) {
            _ = try decoder.append(Array("HTTP/1.1 200 OK\r\n".utf8))
        }
        var oversize = DockerFrameDecoder()
        #expect(throws: DockerFrameDecoder.MalformedStream.self) {
            _ = try oversize.append([1, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff])
        }
    }

    @Test("image references split into name and tag for a pull")
    func imageReferences() {
        #expect(
            DockerRuntime.split("ghcr.io/zeroclaw-labs/zeroclaw:latest") == ("ghcr.io/zeroclaw-labs/zeroclaw", "latest")
        )
        #expect(DockerRuntime.split("localhost:5000/agent") == ("localhost:5000/agent", "latest"))
        #expect(DockerRuntime.split("agent@sha256:abc") == ("agent@sha256:abc", nil))
    }

    @Test("Docker's nanosecond times keep their whole seconds; the zero time is never")
    func times() {
        #expect(DockerInspect.timestamp("2026-11-29T05:20:01.123456789Z") == Timestamp(iso8601: "2026-11-29T05:20:01Z"))
        #expect(DockerInspect.timestamp("0001-01-01T00:00:00Z") == nil)
        #expect(DockerEngine.compare("1.9", "1.41") < 0)
        #expect(DockerEngine.compare("1.43", "1.41") > 0)
        #expect(DockerEngine.percentEncoded("{\"label\":[\"a=b\"]}") == "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D")
    }
}
