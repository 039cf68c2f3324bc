import Testing

@testable import ZCPlatform

/// The health gate's error signal reads the agent's `/metrics`: what a hostile tenant's agent answers.
@Suite("Rollout gate: the agent's error count")
struct RolloutGateTests {
    static func count(_ text: String) -> Double? { TenantLifecycle.errorCount(in: Array(text.utf8)) }

    @Test("summed over its series; absent, unparsable, NaN, infinite or negative is no count at all")
    func hostileAnswers() {
        #expect(
            Self.count(
                "zeroclaw_errors_total{component=\"provider\"} 2\nzeroclaw_errors_total{component=\"channels\"} 1\n")
                == 3)
        #expect(Self.count("zeroclaw_up 1\n") == nil)
        #expect(Self.count("zeroclaw_errors_total NaN\n") == nil)
        #expect(Self.count("zeroclaw_errors_total +Inf\n") == nil)
        #expect(Self.count("zeroclaw_errors_total -5\n") == nil)
        #expect(
            Self.count("zeroclaw_errors_total{component=\"a\"} 1e308\nzeroclaw_errors_total{component=\"b\"} 1e308\n")
                == nil)
        #expect(Self.count("\u{0}\u{1}garbage{{{ \n") == nil)
        // A megabyte of series (the probe reads at most 1 MiB) is read to its end, summed.
        let many = (0..<20_000).map { "zeroclaw_errors_total{component=\"c\($0)\"} 1\n" }.joined()
        #expect(many.utf8.count < 1 << 20)
        #expect(Self.count(many) == 20_000)
    }

    @Test("the gate tolerates twice the old rate over its length, and at least one error")
    func allowance() {
        #expect(TenantLifecycle.allowedErrors(baseline: nil, seconds: 30) == 1)
        #expect(TenantLifecycle.allowedErrors(baseline: 0, seconds: 30) == 1)
        #expect(TenantLifecycle.allowedErrors(baseline: 0.1, seconds: 30) == 6)
        #expect(TenantLifecycle.allowedErrors(baseline: 0.01, seconds: 30) == 1)
    }
}
