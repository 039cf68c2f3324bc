import Testing
import ZCCore

@testable import UsageCollector

@Suite("Usage from counters")
struct UsageCountersTests {
    static let measures = [
        UsageCounters.Measure(
            name: "messages",
            selectors: [
                selector("zeroclaw_messages_total"),
                selector("zeroclaw_channel_messages_total{direction=\"inbound\"}"),
            ]),
        UsageCounters.Measure(
            name: "tokens_in",
            selectors: [
                selector("zeroclaw_tokens_total{direction=\"input\"}"), selector("zeroclaw_tokens_input_total"),
            ]),
    ]

    static func selector(_ text: String) -> PrometheusSelector {
        do {
            return try PrometheusSelector(parsing: text)
        } catch {
            preconditionFailure("bad selector in the test: \(error)")
        }
    }

    static func legacy(messages: Int, tokens: Int) throws -> PrometheusExposition {
        try PrometheusTextParser.parse(
            """
            # TYPE zeroclaw_messages_total counter
            zeroclaw_messages_total \(messages)
            # TYPE zeroclaw_tokens_total counter
            zeroclaw_tokens_total{direction="input"} \(tokens)
            zeroclaw_tokens_total{direction="output"} 999999
            """)
    }

    static func current(telegram: Int, discord: Int, tokens: Int) throws -> PrometheusExposition {
        try PrometheusTextParser.parse(
            """
            # TYPE zeroclaw_channel_messages_total counter
            zeroclaw_channel_messages_total{channel="telegram",direction="inbound"} \(telegram)
            zeroclaw_channel_messages_total{channel="telegram",direction="outbound"} 5000
            zeroclaw_channel_messages_total{channel="discord",direction="inbound"} \(discord)
            # TYPE zeroclaw_tokens_input_total counter
            zeroclaw_tokens_input_total{provider="openrouter",model="a"} \(tokens)
            # TYPE zeroclaw_request_seconds histogram
            zeroclaw_request_seconds_bucket{le="+Inf"} 77
            zeroclaw_request_seconds_count 77
            """)
    }

    @Test("growth between scrapes; a counter reset counts the new value; a new agent counts from zero")
    func resets() throws {
        var counters = UsageCounters()
        let tenant = TenantID(trusted: "acme")
        #expect(
            counters.step(
                of: tenant, try Self.legacy(messages: 10, tokens: 500), measures: Self.measures, countFromZero: true)
                == [10, 500])
        #expect(
            counters.step(
                of: tenant, try Self.legacy(messages: 14, tokens: 800), measures: Self.measures, countFromZero: true)
                == [4, 300])
        // The agent restarted: counters began again from zero and reached 3 / 120.
        #expect(
            counters.step(
                of: tenant, try Self.legacy(messages: 3, tokens: 120), measures: Self.measures, countFromZero: true)
                == [3, 120])
        #expect(
            counters.step(
                of: tenant, try Self.legacy(messages: 3, tokens: 120), measures: Self.measures, countFromZero: true)
                == [0, 0])
    }

    @Test("after a platform restart the first scrape is a baseline, not usage")
    func baseline() throws {
        var counters = UsageCounters()
        let tenant = TenantID(trusted: "acme")
        #expect(
            counters.step(
                of: tenant, try Self.legacy(messages: 1000, tokens: 9000), measures: Self.measures, countFromZero: false
            ) == [0, 0])
        #expect(
            counters.step(
                of: tenant, try Self.legacy(messages: 1002, tokens: 9100), measures: Self.measures, countFromZero: false
            ) == [2, 100])
    }

    @Test("current names: summed over labels, filtered by the selector's labels, histograms ignored")
    func currentFamily() throws {
        var counters = UsageCounters()
        let tenant = TenantID(trusted: "beta")
        #expect(
            counters.step(
                of: tenant, try Self.current(telegram: 7, discord: 3, tokens: 40), measures: Self.measures,
                countFromZero: true) == [10, 40])
        // Only telegram's counter went back (one series reset): discord's growth still counts.
        #expect(
            counters.step(
                of: tenant, try Self.current(telegram: 2, discord: 5, tokens: 45), measures: Self.measures,
                countFromZero: true) == [4, 5])
    }

    @Test("an agent exposing both families is counted once, by the first selector that matches")
    func bothFamilies() throws {
        var counters = UsageCounters()
        let both = try PrometheusTextParser.parse(
            """
            zeroclaw_messages_total 10
            zeroclaw_channel_messages_total{channel="x",direction="inbound"} 10
            zeroclaw_tokens_total{direction="input"} 50
            zeroclaw_tokens_input_total{provider="p",model="m"} 50
            """)
        #expect(
            counters.step(of: TenantID(trusted: "gamma"), both, measures: Self.measures, countFromZero: true) == [
                10, 50,
            ])
    }

    @Test("readings kept in the store: after a restart the first scrape counts from them, not from nothing")
    func keptAcrossRestart() throws {
        var before = UsageCounters()
        let tenant = TenantID(trusted: "acme")
        let first = before.delta(
            of: tenant, try Self.legacy(messages: 10, tokens: 500), measures: Self.measures,
            at: Timestamp(seconds: 100), startedAt: Timestamp(seconds: 50), countFromZero: true)
        #expect(first.totals == [10, 500] && first.since == nil)
        // The platform restarts: a new collector, the readings from the store.
        var after = UsageCounters()
        after.load(first.counters)
        let next = after.delta(
            of: tenant, try Self.legacy(messages: 25, tokens: 900), measures: Self.measures,
            at: Timestamp(seconds: 4000), startedAt: Timestamp(seconds: 50), countFromZero: false)
        #expect(next.totals == [15, 400], "what the agent counted while the platform was down")
        #expect(next.since == Timestamp(seconds: 100))
        // An agent the platform restarted after the reading starts from zero, even past the old value.
        let restarted = after.delta(
            of: tenant, try Self.legacy(messages: 30, tokens: 1000), measures: Self.measures,
            at: Timestamp(seconds: 4000), startedAt: Timestamp(seconds: 200), countFromZero: false)
        #expect(restarted.totals == [30, 1000])
        // Nothing is taken until `record`: a cycle whose write failed counts again, whole.
        let again = after.delta(
            of: tenant, try Self.legacy(messages: 25, tokens: 900), measures: Self.measures,
            at: Timestamp(seconds: 4100), startedAt: Timestamp(seconds: 50), countFromZero: false)
        #expect(again.totals == [15, 400])
    }

    @Test("an agent's series are bounded: past 64 a measure, or names over 512 bytes, are ignored")
    func seriesBounds() throws {
        var text = "# TYPE zeroclaw_channel_messages_total counter\n"
        for index in 0..<100 {
            text += "zeroclaw_channel_messages_total{channel=\"c\(index)\",direction=\"inbound\"} 1\n"
        }
        text +=
            "zeroclaw_channel_messages_total{channel=\"\(String(repeating: "x", count: 600))\",direction=\"inbound\"} 1\n"
        let counters = UsageCounters()
        let delta = counters.delta(
            of: TenantID(trusted: "acme"), try PrometheusTextParser.parse(text), measures: Self.measures,
            at: Timestamp(seconds: 1), startedAt: nil, countFromZero: true)
        #expect(delta.totals[0] == 64)
        #expect(delta.ignored == 37)
        #expect(delta.counters.count == 64)
    }
}

extension UsageCounters {
    /// One scrape taken whole: its usage, with the reading recorded.
    mutating func step(
        of tenant: TenantID, _ exposition: PrometheusExposition, measures: [Measure], countFromZero: Bool
    ) -> [Int64] {
        let now = Timestamp(seconds: 1_000)
        let result = delta(
            of: tenant, exposition, measures: measures, at: now, startedAt: nil, countFromZero: countFromZero)
        record([(tenant, result.counters)], at: now)
        return result.totals
    }
}
