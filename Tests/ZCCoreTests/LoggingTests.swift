import Testing
import ZCCore

@Suite("Structured logging")
struct LoggingTests {
    @Test("logfmt quotes values that need it; JSON escapes; one line per event")
    func rendering() {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "test", minimumLevel: .debug, handler: handler).with("component", "store")
        logger.debug("store.opened", ["path": "/var/lib/zc platform/zcplatform.db", "readers": 4])
        logger.trace("dropped", [:])
        let records = handler.records
        #expect(records.count == 1, "trace is below the minimum level")
        let line = LogFormat.logfmt.render(records[0])
        #expect(line.contains(" level=debug logger=test event=store.opened component=store"))
        #expect(line.contains(#"path="/var/lib/zc platform/zcplatform.db" readers=4"#))
        let json = LogFormat.json.render(
            LogRecord(
                time: Timestamp(seconds: 0), milliseconds: 7, level: .error, label: "x", event: "e",
                fields: [("why", "line1\nline2 \"q\"")]))
        #expect(
            json
                == #"{"time":"1970-01-01T00:00:00.007Z","level":"error","logger":"x","event":"e","why":"line1\nline2 \"q\""}"#
        )
        #expect(!json.contains("\n"))
    }

    @Test("values are quoted and escaped byte for byte as JSON strings; the time has its milliseconds padded")
    func escaping() {
        let record = LogRecord(
            time: Timestamp(seconds: 1_796_083_200), milliseconds: 5, level: .warning, label: "l", event: "e",
            fields: [
                ("plain", "a/b:c"), ("empty", ""), ("space", "a b"), ("equals", "k=v"), ("quote", #"say "hi""#),
                ("control", "bell\u{07}del\u{7F}tab\t"), ("unicode", "café→ü"), ("backslash", #"C:\x"#),
            ])
        #expect(
            LogFormat.logfmt.render(record)
                == #"time=2026-12-01T00:00:00.005Z level=warning logger=l event=e plain=a/b:c empty="" space="a b" equals="k=v" quote="say \"hi\"" control="bell\u0007del\u007ftab\t" unicode=café→ü backslash=C:\x"#
        )
        #expect(
            LogFormat.json.render(record)
                == #"{"time":"2026-12-01T00:00:00.005Z","level":"warning","logger":"l","event":"e","plain":"a/b:c","empty":"","space":"a b","equals":"k=v","quote":"say \"hi\"","control":"bell\u0007del\u007ftab\t","unicode":"café→ü","backslash":"C:\\x"}"#
        )
    }
}
