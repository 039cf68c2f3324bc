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
            counters.delta(
                of: tenant, try Self.legacy(messages: 10, tokens: 500), measures: Self.measures, countFromZero: true)
                == [10, 500])
        #expect(
            counters.delta(
                of: tenant, try Self.legacy(messages: 14, tokens: 800), measures: Self.measures, countFromZero: true)
                == [4, 300])
        // The agent restarted: counters began again from zero and reached 3 / 120.
        #expect(
            counters.delta(
                of: tenant, try Self.legacy(messages: 3, tokens: 120), measures: Self.measures, countFromZero: true)
                == [3, 120])
        #expect(
            counters.delta(
                of: tenant, try Self.legacy(messages: 3, tokens: 120), measures: Self.measures, countFromZero: true)
                == [0, 0])
    }

    @Test("after a platform restart the first scrape is a baseline, not usage")
    func baseline() throws {
        var counters = UsageCounters()
        let tenant = TenantID(trusted: "acme")
        #expect(
            counters.delta(
                of: tenant, try Self.legacy(messages: 1000, tokens: 9000), measures: Self.measures, countFromZero: false
            ) == [0, 0])
        #expect(
            counters.delta(
                of: tenant, try Self.legacy(messages: 1002, tokens: 9100), measures: Self.measures, countFromZero: false
            ) == [2, 100])
    }

    @Test("current names: summed over labels, filtered by the selector's labels, histograms ignored")
    func currentFamily() throws {
        var counters = UsageCounters()
        let tenant = TenantID(trusted: "beta")
        #expect(
            counters.delta(
                of: tenant, try Self.current(telegram: 7, discord: 3, tokens: 40), measures: Self.measures,
                countFromZero: true) == [10, 40])
        // Only telegram's counter went back (one series reset): discord's growth still counts.
        #expect(
            counters.delta(
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
            counters.delta(of: TenantID(trusted: "gamma"), both, measures: Self.measures, countFromZero: true) == [
                10, 50,
            ])
    }
}
