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
                previous: health, probe: healthy ? .healthy(AgentHealth()) : .failed("no answer"), status: status,
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

    @Test("an agent that answers with a channel in error is degraded: shown, never restarted, never failed")
    func degraded() {
        let failing = AgentHealth(components: [
            .init(name: "gateway", status: "ok"),
            .init(name: "channel:telegram", status: "error", lastError: "401 Unauthorized", restartCount: 4),
        ])
        var health: HealthBoard.TenantHealth?
        for cycle in 0..<6 {
            let (next, decision) = HealthChecker.decide(
                previous: health, probe: .healthy(failing), status: .running,
                now: Timestamp(seconds: Int64(cycle) * 30), failuresBeforeRestart: 1)
            #expect(decision == .none)
            health = next
        }
        #expect(health?.healthy == true)
        #expect(health?.degraded == true)
        #expect(health?.state == "degraded")
        #expect(health?.lastError == "channel:telegram: 401 Unauthorized (restarts 4)")
        // It clears when the part recovers.
        let (cleared, _) = HealthChecker.decide(
            previous: health, probe: .healthy(AgentHealth(components: [.init(name: "channel:telegram", status: "ok")])),
            status: .running, now: Timestamp(seconds: 300), failuresBeforeRestart: 1)
        #expect(cleared.state == "healthy")
        #expect(cleared.lastError == nil)
        // A tenant in error whose agent answers degraded goes back to running, degraded.
        let (back, decision) = HealthChecker.decide(
            previous: nil, probe: .healthy(failing), status: .error, now: Timestamp(seconds: 0),
            failuresBeforeRestart: 1)
        #expect(decision == .markRecovered)
        #expect(back.degraded)
        // Unhealthy is not degraded.
        let (down, _) = HealthChecker.decide(
            previous: health, probe: .failed("refused"), status: .running, now: Timestamp(seconds: 330),
            failuresBeforeRestart: 3)
        #expect(down.state == "unhealthy")
        #expect(!down.degraded)
    }
}

@Suite("An agent's /health body")
struct AgentHealthTests {
    @Test("ZeroClaw's shape: runtime.components with status, last_error and restart_count")
    func zeroClawShape() {
        let body = #"""
            {"status":"ok","paired":false,"require_pairing":true,"runtime":{"pid":7,"uptime_seconds":12,
             "components":{"gateway":{"status":"ok","updated_at":"2026-12-06T00:00:00Z","last_ok":"2026-12-06T00:00:00Z",
             "last_error":null,"restart_count":0},
             "channel:telegram":{"status":"error","last_error":"getUpdates: 401 Unauthorized","restart_count":3},
             "scheduler":{"status":"starting","last_error":null,"restart_count":0}}}}
            """#
        let health = AgentHealth(body: Array(body.utf8))
        #expect(health.components.map(\.name) == ["channel:telegram", "gateway", "scheduler"])
        #expect(health.failing.map(\.name) == ["channel:telegram"])
        #expect(health.starting)
        #expect(health.summary == "channel:telegram: getUpdates: 401 Unauthorized (restarts 3)")
    }

    @Test("no JSON, no components, or odd types: nothing is said about parts, nothing breaks")
    func oddBodies() {
        for body in [
            "", "ok", "{}", #"{"status":"ok","uptime":3}"#, #"{"runtime":{"components":[1,2]}}"#,
            #"{"runtime":{"components":{"x":"error"}}}"#, "[" + String(repeating: "[", count: 10_000),
        ] {
            let health = AgentHealth(body: Array(body.utf8))
            #expect(health.components.isEmpty, "\(body.prefix(40))")
            #expect(health.summary == nil)
        }
        let odd = AgentHealth(
            body: Array(#"{"runtime":{"components":{"c":{"status":7,"restart_count":-4,"last_error":5}}}}"#.utf8))
        #expect(odd.components == [.init(name: "c", status: "unknown", lastError: nil, restartCount: 0)])
    }

    @Test("a hostile agent: many parts, long texts, control characters and credentials are bounded")
    func hostile() {
        var parts: [String] = []
        for index in 0..<500 {
            parts.append(#""p\#(index)":{"status":"error","last_error":"\#(String(repeating: "x", count: 5000))"}"#)
        }
        let many = AgentHealth(body: Array(#"{"runtime":{"components":{\#(parts.joined(separator: ","))}}}"#.utf8))
        #expect(many.components.count == AgentHealth.maxComponents)
        #expect(many.components.allSatisfy { ($0.lastError?.count ?? 0) <= AgentHealth.maxText })
        let token = "123456789:AAEhBOweik6ad6PsVEIx3jIh8PB_2QqUnwU"
        let quoted = AgentHealth(
            body: Array(
                #"{"runtime":{"components":{"channel:telegram":{"status":"error","last_error":"error sending request for url (https://api.telegram.org/bot\#(token)/getMe)\u001b[31m\nnext"}}}}"#
                    .utf8))
        let text = quoted.components.first?.lastError ?? ""
        #expect(!text.contains(token))
        #expect(!text.contains("AAEhBOweik6ad6PsVEIx3jIh8PB"))
        #expect(text.contains("[redacted]"))
        #expect(text.contains("api.telegram.org"))
        #expect(!text.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }
}
