import Testing
import ZCCore

@testable import HealthChecker

@Suite("Health checker rules")
struct HealthDecisionTests {
    typealias Decision = HealthChecker.Decision

    /// Runs a sequence of probes through the rules, as consecutive cycles would.
    static func run(_ probes: [Bool], status: TenantStatus, threshold: Int = 3) -> [Decision] {
        var health: HealthBoard.TenantHealth?
        var decisions: [Decision] = []
        for (index, healthy) in probes.enumerated() {
            let (next, decision) = HealthChecker.decide(
                previous: health, probe: healthy ? .healthy : .failed("no answer"), status: status,
                now: Timestamp(seconds: Int64(index) * 30), failuresBeforeRestart: threshold)
            health = next
            decisions.append(decision)
        }
        return decisions
    }

    @Test("three failures restart once; three more mark error; nothing more after")
    func failing() {
        let decisions = Self.run(Array(repeating: false, count: 8), status: .running)
        #expect(decisions == [.none, .none, .restart, .none, .none, .markFailed, .markFailed, .markFailed])
    }

    @Test("a healthy probe ends the episode: the next failures get their own restart")
    func recovery() {
        let decisions = Self.run([false, false, false, true, false, false, false], status: .running)
        #expect(decisions == [.none, .none, .restart, .none, .none, .none, .restart])
    }

    @Test("a tenant in error is never restarted by the checker, and returns to running when healthy")
    func inError() {
        #expect(Self.run([false, false, false, false], status: .error) == [.none, .none, .none, .none])
        #expect(Self.run([false, true], status: .error) == [.none, .markRecovered])
    }

    @Test("the threshold is configurable")
    func threshold() {
        #expect(Self.run([false, false], status: .running, threshold: 1) == [.restart, .markFailed])
    }
}
