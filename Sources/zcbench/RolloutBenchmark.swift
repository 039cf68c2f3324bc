import Foundation
import ZCCore
import ZCPlatform

/// `zcbench rollout`: a rollout across 1,000 simulated tenants on one node (SQLite, the platform's
/// services running, every agent a record of `SimulatedAgents` whose gateway `HealthResponder` answers):
/// - the control plane's own time per tenant update: a rollout with a 0 s health gate, its wall time and
///   the process's CPU time per tenant (the store, the config files, the agent's replacement, a probe);
/// - a rollout of the fleet at `batch_size` 10 % with a 30 s gate, its wall time beside the time its
///   gates alone take (goal: the gates dominate; the platform's own work under 50 ms per tenant).
struct RolloutBenchmark {
    var tenants = 1000
    var gateSeconds = 30
    var batchSize = "10%"
    /// Skips the gated rollout (only the control plane's cost).
    var gated = true

    func run() async throws {
        let directory = NSTemporaryDirectory() + "zcbench-rollout-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ports = 25_000...(25_000 + tenants - 1)
        let environment = [
            "ZCPLATFORM_STORE_PATH": "\(directory)/zcplatform.db",
            "ZCPLATFORM_VAULT_KEY_PATH": "\(directory)/vault.key",
            "ZCPLATFORM_RUNTIME_DATA_DIR": "\(directory)/tenants", "ZCPLATFORM_SERVER_PORT": "0",
            "ZCPLATFORM_SERVER_HOST": "127.0.0.1", "ZCPLATFORM_RUNTIME_DRIVER": "simulated",
            "ZCPLATFORM_RUNTIME_PORT_RANGE_START": String(ports.lowerBound),
            "ZCPLATFORM_RUNTIME_PORT_RANGE_END": String(ports.upperBound),
            "ZCPLATFORM_RUNTIME_RECONCILE_INTERVAL_SECONDS": "300",
            "ZCPLATFORM_CLUSTER_MEMORY_CAPACITY": "1024GiB", "ZCPLATFORM_SERVER_ACCESS_LOG": "false",
            // The collectors would probe and scrape the simulated agents too: off, so the figures are the
            // rollout's.
            "ZCPLATFORM_COLLECTORS_RESOURCE_ENABLED": "false", "ZCPLATFORM_COLLECTORS_USAGE_ENABLED": "false",
            "ZCPLATFORM_COLLECTORS_HEALTH_ENABLED": "false",
        ]
        let agents = SimulatedAgents()
        var registry = PluginRegistry.standard
        registry.register(RuntimeDriver(name: "simulated") { _, _ in agents })
        let configuration = try ConfigurationLoader.load(
            explicitPath: nil, environment: environment, context: .detect(), workingDirectory: directory,
            registry: registry)
        let platform = try await Platform.open(configuration, registry: registry, logger: .disabled)
        try await seed(platform.store, node: configuration.cluster.nodeID, ports: ports)
        let responder = try HealthResponder(host: configuration.runtime.agentHost, ports: ports)
        defer { responder.stop() }
        let running = Task { try await platform.run() }
        defer { running.cancel() }
        // The first reconciliation makes every running tenant's agent.
        let deadline = ContinuousClock.now + .seconds(300)
        while try await agents.list(labels: [:]).count < tenants {
            guard ContinuousClock.now < deadline else { throw BenchmarkError("the agents were not made in 300 s") }
            try await Task.sleep(for: .milliseconds(200))
        }
        print("zcbench rollout: \(tenants) tenants running on a simulated runtime (SQLite, one node)")
        print("")

        let rollouts = platform.services.rollouts
        var quick = RolloutRequest(image: "zcagent-sim:next")
        quick.healthSeconds = 0
        quick.batchSize = try RolloutAmount.parse(.string(batchSize), field: "batch_size", minimum: 1)
        let changesBefore = agents.changes.load(ordering: .relaxed)
        let (quickWall, quickCPU) = try await measure(quick, rollouts, platform.store)
        let changes = agents.changes.load(ordering: .relaxed) - changesBefore
        let batches = Set(quick.batches(of: tenants)).count
        print("| rollout of \(tenants) tenants | wall | CPU | per tenant (wall) | per tenant (CPU) |")
        print("|---|---:|---:|---:|---:|")
        print(row("health gate 0 s, batches of \(batchSize) (\(batches) batches)", quickWall, quickCPU))
        print("")
        print(
            "runtime calls per tenant update: \(Format.number(Double(changes) / Double(tenants), decimals: 1)) (stop, remove, create, start)"
        )
        guard gated else { return }
        var gatedRequest = quick
        gatedRequest.image = "zcagent-sim:third"
        gatedRequest.healthSeconds = gateSeconds
        let (wall, cpu) = try await measure(gatedRequest, rollouts, platform.store)
        let gates = Double(batches * gateSeconds)
        print("")
        print("| rollout of \(tenants) tenants, \(gateSeconds) s gate | wall | gates alone | platform's share | CPU |")
        print("|---|---:|---:|---:|---:|")
        print(
            "| batches of \(batchSize) (\(batches) batches) | \(seconds(wall)) | \(seconds(gates)) | "
                + "\(Format.number((wall - gates) / wall * 100, decimals: 1)) % | \(seconds(cpu)) |")
    }

    private func row(_ label: String, _ wall: Double, _ cpu: Double) -> String {
        "| \(label) | \(seconds(wall)) | \(seconds(cpu)) | \(milliseconds(wall / Double(tenants))) | "
            + "\(milliseconds(cpu / Double(tenants))) |"
    }

    private func seconds(_ value: Double) -> String { "\(Format.number(value, decimals: 2)) s" }
    private func milliseconds(_ value: Double) -> String { "\(Format.number(value * 1000, decimals: 2)) ms" }

    /// Starts the rollout and waits for its end: its wall time and this process's CPU seconds meanwhile.
    private func measure(
        _ request: RolloutRequest, _ rollouts: RolloutService, _ store: any Store
    ) async throws
        -> (Double, Double)
    {
        let cpu = CPUTime.ownSeconds()
        let started = ContinuousClock.now
        let rollout = try await rollouts.start(request, by: .system("zcbench"))
        while true {
            try await Task.sleep(for: .milliseconds(50))
            guard let now = try await store.read({ try await $0.rollout(rollout.id) }) else { continue }
            if now.state == .completed { break }
            guard !now.state.isFinal, now.state != .halted else {
                throw BenchmarkError("rollout \(rollout.id) ended \(now.state.rawValue): \(now.reason ?? "")")
            }
        }
        return ((ContinuousClock.now - started).inSeconds, CPUTime.ownSeconds() - cpu)
    }

    /// Running tenants, each with a port, a uid and a pinned image, as deploys leave them.
    private func seed(_ store: any Store, node: String, ports: ClosedRange<Int>) async throws {
        let now = Timestamp.now()
        let count = tenants
        try await store.withTransaction { transaction in
            for index in 0..<count {
                var tenant = Tenant(
                    id: try TenantID(String(format: "tenant-%05d", index)), name: "Tenant \(index)", plan: "default",
                    status: .running, nodeID: node, hostPort: ports.lowerBound + index, uid: 300_000 + index,
                    createdAt: now, startedAt: now.adding(seconds: -3600))
                tenant.image = "zcagent-sim:current@sha256:" + String(repeating: "0", count: 64)
                try await transaction.insertTenant(tenant)
            }
        }
    }
}
