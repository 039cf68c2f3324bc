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
}
