import Foundation
import Testing
import ZCCore

/// Steps the monitoring tests share on either runtime: fast collectors, polling the API until the
/// collectors have done what is expected.
enum MonitoringFlow {
    /// Collectors every second, a restart after two failed probes.
    static let fastCollectors: [String: String] = [
        "ZCPLATFORM_COLLECTORS_RESOURCE_INTERVAL_SECONDS": "1",
        "ZCPLATFORM_COLLECTORS_USAGE_INTERVAL_SECONDS": "1",
        "ZCPLATFORM_COLLECTORS_HEALTH_INTERVAL_SECONDS": "1",
        "ZCPLATFORM_COLLECTORS_HEALTH_TIMEOUT_SECONDS": "1",
        "ZCPLATFORM_COLLECTORS_HEALTH_FAILURES_BEFORE_RESTART": "2",
    ]

    /// Polls `body` until it returns a value, or records an issue after `timeout`.
    static func eventually<T>(
        _ what: String, timeout: Duration = .seconds(30), _ body: () async throws -> T?
    ) async throws -> T? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await body() { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what)")
        return nil
    }

    /// The tenant's row of `GET /api/monitoring/health`, once `ready` holds for it (nil after the timeout).
    static func healthRow(
        _ live: LivePlatform, _ id: String, _ what: String, until ready: ([String: Any]) -> Bool
    ) async throws -> [String: Any]? {
        try await eventually("\(id) \(what)") { () -> [String: Any]? in
            let rows = await live.call(.get, "/api/monitoring/health").array
            return rows.first { $0["tenant_id"] as? String == id }.flatMap { ready($0) ? $0 : nil }
        }
    }

    /// The tenant's row of `GET /api/fleet`.
    static func fleetRow(_ live: LivePlatform, _ id: String) async -> [String: Any]? {
        let tenants = await live.call(.get, "/api/fleet").json["tenants"] as? [[String: Any]] ?? []
        return tenants.first { $0["id"] as? String == id }
    }

    /// Creates the tenant, runs `prepare` (its channels, its configuration), deploys it and waits until it
    /// runs; returns its port.
    @discardableResult
    static func createAndDeploy(
        _ live: LivePlatform, _ id: String, prepare: () async throws -> Void = {}
    ) async throws -> Int {
        #expect(await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"Tenant \#(id)"}"#).status == 201)
        try await prepare()
        #expect(await live.call(.post, "/api/tenants/\(id)/deploy").status == 202)
        let status = try await live.waitFor(id, "running", timeout: .seconds(60))
        return try #require(status["port"] as? Int)
    }

    /// Snapshots arrive every cycle with plausible values; the chart endpoint serves them.
    static func checkResources(_ live: LivePlatform, _ id: String, network: Bool) async throws {
        let chart = try await eventually("two snapshots of \(id)") { () -> [String: Any]? in
            let body = await live.call(.get, "/api/tenants/\(id)/resources?range=1h").json
            let history = body["history"] as? [[String: Any]] ?? []
            let samples = history.reduce(0) { $0 + ($1["samples"] as? Int ?? 0) }
            return samples >= 3 && body["current"] is [String: Any] ? body : nil
        }
        let current = try #require(chart?["current"] as? [String: Any])
        #expect((current["mem_bytes"] as? Int ?? 0) > 0, "memory: \(current)")
        #expect((current["mem_limit"] as? Int ?? 0) >= 64 << 20, "limit: \(current)")
        #expect((current["pids"] as? Int ?? 0) >= 1, "tasks: \(current)")
        #expect((current["disk_bytes"] as? Int ?? 0) > 0, "the tenant directory holds config.toml: \(current)")
        #expect(current["cpu_pct"] is Double || current["cpu_pct"] is Int)
        #expect(chart?["bucket_seconds"] as? Int == 60)
        let bucket = try #require((chart?["history"] as? [[String: Any]])?.last)
        let cpu = try #require(bucket["cpu_pct"] as? [String: Any])
        #expect(cpu.keys.sorted() == ["avg", "max", "min"])
        for range in ["6h", "24h", "7d"] {
            let other = await live.call(.get, "/api/tenants/\(id)/resources?range=\(range)")
            #expect(other.status == 200)
            #expect(!((other.json["history"] as? [Any]) ?? []).isEmpty, "\(range) has the current samples")
        }
        #expect(await live.call(.get, "/api/tenants/\(id)/resources?range=2d").status == 400)
        let fleet = await live.call(.get, "/api/monitoring/resources").json
        let tenants = fleet["tenants"] as? [[String: Any]] ?? []
        #expect(tenants.contains { $0["tenant_id"] as? String == id })
        #expect(((fleet["totals"] as? [String: Any])?["tenants"] as? Int ?? 0) >= 1)
        _ = network
    }

    /// Usage hours grow from the simulator's counters, also across a restart of the agent (a reset).
    static func checkUsage(_ live: LivePlatform, _ id: String) async throws {
        func total() async -> (messages: Int, tokensIn: Int) {
            let body = await live.call(.get, "/api/tenants/\(id)/usage?range=24h").json
            let total = body["total"] as? [String: Any] ?? [:]
            return (total["messages"] as? Int ?? 0, total["tokens_in"] as? Int ?? 0)
        }
        let first = try await eventually("usage of \(id)") { () -> (Int, Int)? in
            let value = await total()
            return value.messages >= 2 ? value : nil
        }
        #expect((first?.1 ?? 0) >= 200, "tokens come with messages: \(String(describing: first))")
        #expect(await live.call(.post, "/api/tenants/\(id)/restart").status == 200)
        // After the restart the agent's counters start again from zero; usage must keep growing, by
        // about a message a second, not jump back or by the old totals.
        let before = await total().messages
        let after = try await eventually("usage after the agent restarted") { () -> Int? in
            let value = await total().messages
            return value >= before + 3 ? value : nil
        }
        #expect(
            (after ?? 0) < before + 60, "no double counting after a reset: \(before) → \(String(describing: after))")
        let fleet = await live.call(.get, "/api/monitoring/usage").json
        let tenants = fleet["tenants"] as? [[String: Any]] ?? []
        #expect(tenants.contains { $0["tenant_id"] as? String == id && ($0["messages"] as? Int ?? 0) > 0 })
    }

    /// An agent that stops answering is restarted once by the checker and comes back `running`.
    static func checkAutoRestart(
        _ live: LivePlatform, _ id: String, breakAgent: () async throws -> Void
    )
        async throws
    {
        try await breakAgent()
        _ = try await eventually("the health checker's restart of \(id)", timeout: .seconds(45)) { () -> Bool? in
            await live.auditActions(id).contains("tenant.auto_restart") ? true : nil
        }
        try await live.waitFor(id, "running", timeout: .seconds(30))
        _ = try await eventually("a healthy probe of \(id)") { () -> Bool? in
            let health = await live.call(.get, "/api/monitoring/health").array
            let entry = health.first { $0["tenant_id"] as? String == id }
            return (entry?["health"] as? [String: Any])?["healthy"] as? Bool == true ? true : nil
        }
        #expect(await live.call(.get, "/api/tenants/\(id)/status").json["status"] as? String == "running")
    }

    /// An agent a restart does not cure goes to `error`, audited with the cause; answering again brings
    /// it back to `running`.
    static func checkPermanentFailure(_ live: LivePlatform, _ id: String, port: Int) async throws {
        try await live.postToAgent(port: port, "/sim/mode?persist=1", "unhealthy")
        let status = try await live.waitFor(id, "error", timeout: .seconds(60))
        if status["status"] as? String != "error" {
            print(
                live.logs.renderedLines().filter { $0.contains("health") || $0.contains("tenant") }.suffix(40).joined(
                    separator: "\n"))
        }
        #expect((status["error_message"] as? String ?? "").contains("health:"), "\(status)")
        let actions = await live.auditActions(id)
        #expect(actions.contains("tenant.auto_restart"))
        #expect(actions.last == "tenant.failed", "\(actions)")
        let failed = await live.auditEvents(id).first { $0["action"] as? String == "tenant.failed" }
        #expect(failed?["actor"] as? String == "system:health")
        let health = await live.call(.get, "/api/monitoring/health").array
        #expect(health.contains { $0["tenant_id"] as? String == id && $0["status"] as? String == "error" })
        // The runbook's line: jq '.[] | select(.status == "error")'.
        try await live.postToAgent(port: port, "/sim/mode?persist=1", "healthy")
        try await live.waitFor(id, "running", timeout: .seconds(30))
        #expect(await live.auditActions(id).last == "tenant.recovered")
    }

    /// The platform's own /metrics: each collector's figures and the fleet's gauges.
    static func checkMetrics(_ live: LivePlatform) async throws {
        let text = try await eventually("collector metrics") { () -> String? in
            let body = await live.api.call(.get, "/metrics", token: nil).text
            return body.contains("zcplatform_tenants{status=\"running\"}") ? body : nil
        }
        for collector in ["resource", "usage", "health"] {
            #expect(
                text?.contains("zcplatform_collector_last_success_timestamp_seconds{collector=\"\(collector)\"}")
                    == true)
            #expect(text?.contains("zcplatform_collector_last_duration_seconds{collector=\"\(collector)\"}") == true)
        }
        #expect(text?.contains("zcplatform_collector_errors_total") == true)
    }
}
