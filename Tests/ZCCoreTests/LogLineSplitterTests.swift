import Testing
import ZCCore

@Suite("Log line splitting")
struct LogLineSplitterTests {
    @Test("each stream keeps its own partial line; a runaway line is cut at the cap")
    func streamsAndCap() {
        var splitter = LogLineSplitter(maxLineBytes: 4)
        #expect(splitter.append(Array("ab".utf8), from: .stdout).isEmpty)
        #expect(splitter.append(Array("x\n".utf8), from: .stderr) == [LogLine(stream: .stderr, text: "x")])
        #expect(splitter.append(Array("c\n".utf8), from: .stdout) == [LogLine(stream: .stdout, text: "abc")])
        #expect(
            splitter.append(Array("123456789".utf8), from: .stdout) == [
                LogLine(stream: .stdout, text: "1234"), LogLine(stream: .stdout, text: "5678"),
            ])
        #expect(splitter.finish() == [LogLine(stream: .stdout, text: "9")])
        #expect(splitter.finish().isEmpty)
    }
}
