import Foundation
import Testing
import ZCCore

/// The collectors, the health checker and the monitoring API on the process runtime, through the REST
/// API of a running platform.
@Suite("Monitoring on the process runtime")
struct MonitoringTests {
    @Test("snapshots every cycle, usage across an agent restart, the platform's metrics")
    func collect() async throws {
        let live = try await LivePlatform.start(MonitoringFlow.fastCollectors)
        try await live.scoped {
            let id = "metered"
            _ = try await MonitoringFlow.createAndDeploy(live, id)
            try await MonitoringFlow.checkResources(live, id, network: false)
            try await MonitoringFlow.checkUsage(live, id)
            try await MonitoringFlow.checkMetrics(live)
            let dashboard = await live.call(.get, "/api/monitoring/dashboard").json
            let runtime = dashboard["runtime"] as? [String: Any] ?? [:]
            #expect(runtime["driver"] as? String == "process")
            #expect(runtime["reachable"] as? Bool == true)
        }
    }

    @Test("an unhealthy agent is restarted once and runs again; one a restart does not cure goes to error")
    func health() async throws {
        let live = try await LivePlatform.start(MonitoringFlow.fastCollectors)
        try await live.scoped {
            let id = "patient"
            let port = try await MonitoringFlow.createAndDeploy(live, id)
            try await MonitoringFlow.checkAutoRestart(live, id) {
                // Unhealthy until restarted (the mode is not kept).
                try await live.postToAgent(port: port, "/sim/mode", "unhealthy")
            }
            try await MonitoringFlow.checkPermanentFailure(live, id, port: port)
        }
    }

    @Test("a channel whose token its service rejects: deployed degraded, shown and logged once, never restarted")
    func degraded() async throws {
        let live = try await LivePlatform.start(MonitoringFlow.fastCollectors)
        try await live.scoped {
            let id = "shaky"
            try await MonitoringFlow.createAndDeploy(live, id) {
                let channel = await live.call(
                    .post, "/api/tenants/\(id)/channels",
                    json: #"{"kind":"telegram","name":"support","secrets":{"bot_token":"sim-bad-token-4c1e"}}"#)
                #expect(channel.status == 201, "\(channel.text)")
            }
            // The deploy says it started degraded, and which part failed.
            let audit = await live.call(.get, "/api/monitoring/audit?action=tenant.deployed").json
            let deployed = (audit["events"] as? [[String: Any]] ?? []).first { $0["tenant_id"] as? String == id }
            let detail = deployed?["detail"] as? [String: Any] ?? [:]
            #expect((detail["degraded"] as? String ?? "").contains("channel:telegram"), "\(audit)")
            // The health checker shows it degraded, with the failing part, and never restarts it.
            let row = try await MonitoringFlow.healthRow(live, id, "degraded") {
                ($0["health"] as? [String: Any])?["state"] as? String == "degraded"
            }
            let health = row?["health"] as? [String: Any] ?? [:]
            let components = health["components"] as? [[String: Any]] ?? []
            let failing = components.first { $0["name"] as? String == "channel:telegram" }
            #expect(failing?["status"] as? String == "error", "\(components)")
            #expect(!("\(components)".contains("sim-bad-token-4c1e")), "the token is never shown")
            #expect(health["healthy"] as? Bool == true)
            try await Task.sleep(for: .seconds(4))
            #expect(live.logs.records.filter { $0.event == "health.degraded" }.count == 1, "logged once")
            #expect(!live.logs.records.contains { $0.event == "health.restarting" })
            let status = await live.call(.get, "/api/tenants/\(id)/status").json
            #expect(status["status"] as? String == "running")
            #expect(await MonitoringFlow.fleetRow(live, id)?["health"] as? String == "degraded")
            let metrics = await live.call(.get, "/metrics").text
            #expect(metrics.contains("zcplatform_health_degraded_tenants 1"), "the gauge")
        }
    }

    @Test("an agent that answers /metrics with no sample is unmetered: shown and logged once, not metered zero")
    func unmetered() async throws {
        let live = try await LivePlatform.start(MonitoringFlow.fastCollectors)
        try await live.scoped {
            let id = "silent"
            try await MonitoringFlow.createAndDeploy(live, id) {
                // A build without ZeroClaw's Prometheus feature: asked for the backend, it still answers a comment.
                let patched = await live.call(
                    .patch, "/api/tenants/\(id)/config", json: #"{"settings":{"simulator":{"metrics":"off"}}}"#)
                #expect(patched.status == 200, "\(patched.text)")
            }
            let row = try await MonitoringFlow.healthRow(live, id, "unmetered") { $0["unmetered"] is [String: Any] }
            let unmetered = row?["unmetered"] as? [String: Any] ?? [:]
            #expect(!(unmetered["reason"] as? String ?? "").isEmpty, "\(unmetered)")
            try await Task.sleep(for: .seconds(4))
            #expect(live.logs.records.filter { $0.event == "usage.unmetered" }.count == 1, "logged once")
            #expect(await MonitoringFlow.fleetRow(live, id)?["unmetered"] as? Bool == true)
            let metrics = await live.call(.get, "/metrics").text
            #expect(metrics.contains("zcplatform_usage_unmetered_tenants 1"), "the gauge")
        }
    }
}
