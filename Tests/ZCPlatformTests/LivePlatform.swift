import Foundation
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// A platform with its services running (lifecycle jobs, reconciliation, the API on a real port) and a
/// super-admin signed in: what the runbook's curl commands talk to.
struct LivePlatform {
    /// Each platform of this test process gets its own 50 host ports: two platforms on one host share no
    /// port range (in production one host runs one platform).
    static let nextPortSlice = Atomic<Int>(0)

    let environment: [String: String]
    let api: APIHarness
    let running: Task<Void, any Error>
    let admin: String
    let logs: InMemoryLogHandler
    let port: Int

    static func start(
        _ environment: [String: String] = [:], reuse directory: TemporaryDirectory? = nil,
        registry: PluginRegistry = .standard
    )
        async throws -> LivePlatform
    {
        let logs = InMemoryLogHandler()
        var variables = environment
        // Each platform its own node: reconciliation touches only its node's containers in a shared dockerd.
        if variables["ZCPLATFORM_CLUSTER_NODE_ID"] == nil {
            variables["ZCPLATFORM_CLUSTER_NODE_ID"] = "test-\(UUID().uuidString.prefix(8).lowercased())"
        }
        if variables["ZCPLATFORM_RUNTIME_PORT_RANGE_START"] == nil {
            let slice = nextPortSlice.add(1, ordering: .relaxed).oldValue % 200
            variables["ZCPLATFORM_RUNTIME_PORT_RANGE_START"] = String(20_000 + slice * 50)
            variables["ZCPLATFORM_RUNTIME_PORT_RANGE_END"] = String(20_000 + slice * 50 + 49)
        }
        if variables["ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS"] == nil {
            variables["ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS"] = "20"
        }
        let api = try await APIHarness.open(variables, logs: logs, directory: directory, registry: registry)
        let platform = api.platform
        let running = Task { try await platform.run() }
        let port = try await platform.api.port()
        if try await api.store.user(email: "root@example.com") == nil {
            try await api.user("root@example.com", admin: true)
        }
        let admin = try await api.signIn("root@example.com")
        return LivePlatform(environment: variables, api: api, running: running, admin: admin, logs: logs, port: port)
    }

    /// Stops the services (the process runtime stops its agents); the directory stays for a restart.
    func stop() async {
        running.cancel()
        _ = await running.result
        await api.close(removingDirectory: false)
    }

    /// A new platform on the same directory and configuration, as after `systemctl restart`.
    func restarted() async throws -> LivePlatform {
        try await LivePlatform.start(environment, reuse: api.directory)
    }

    /// Runs `body`, then cleans up (also when it throws), awaited: nothing outlives the test.
    func scoped(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await stopAndRemove()
            throw error
        }
        await stopAndRemove()
    }

    /// Stops the platform and removes what it left behind: its containers (on Docker they outlive the
    /// platform by design, and a shared test engine would fill up) and its directory.
    func stopAndRemove() async {
        let platform = api.platform
        let node = platform.configuration.cluster.nodeID
        if platform.runtime.isolated {
            for container in (try? await platform.runtime.list(labels: ["zcplatform.node": node])) ?? [] {
                try? await platform.runtime.remove(container.id, force: true)
            }
        }
        await stop()
        api.directory.remove()
    }

    func call(_ method: HTTPMethod, _ target: String, json: String? = nil) async -> APIResponse {
        await api.call(method, target, token: admin, json: json)
    }

    /// A file a test writes into the tenant's data directory, to find it again after an update or a move.
    func marker(of tenant: String) -> String {
        api.directory.file("tenants/\(tenant)/marker")
    }

    /// Polls `GET /status` until the tenant is in `status` (or `timeout` passes); returns the last answer.
    @discardableResult
    func waitFor(_ tenant: String, _ status: String, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = await call(.get, "/api/tenants/\(tenant)/status").json
            if last["status"] as? String == status { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("tenant \(tenant) did not reach \(status): \(last)")
        return last
    }

    /// The agent's own `/health`, straight on its host port.
    func agentHealth(port: Int) async -> Int? {
        guard let client = try? HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1))) else {
            return nil
        }
        defer { Task { await client.shutdown() } }
        return try? await client.execute(.get, .tcp(host: "127.0.0.1", port: port), "/health", timeout: .seconds(2))
            .status.code
    }

    /// The agent's `/health` body, nil when it does not answer.
    func agentHealthBody(port: Int) async -> String? {
        guard let client = try? HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1))) else {
            return nil
        }
        defer { Task { await client.shutdown() } }
        return try? await client.execute(.get, .tcp(host: "127.0.0.1", port: port), "/health", timeout: .seconds(2))
            .text
    }

    func postToAgent(port: Int, _ path: String, _ body: String) async throws {
        let client = try HTTPClient()
        defer { Task { await client.shutdown() } }
        _ = try await client.execute(.post, .tcp(host: "127.0.0.1", port: port), path, body: Array(body.utf8))
    }

    /// Audit actions recorded for `tenant`, oldest first.
    func auditActions(_ tenant: String) async -> [String] {
        let page = await call(.get, "/api/monitoring/audit?tenant=\(tenant)&limit=1000").json
        let events = page["events"] as? [[String: Any]] ?? []
        return events.compactMap { $0["action"] as? String }.reversed()
    }

    func auditEvents(_ tenant: String) async -> [[String: Any]] {
        let page = await call(.get, "/api/monitoring/audit?tenant=\(tenant)&limit=1000").json
        return page["events"] as? [[String: Any]] ?? []
    }
}
