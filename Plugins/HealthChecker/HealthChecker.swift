import ZCCore
import ZCHTTP

/// Probes every running (and failed) tenant's `/health` each cycle (30 s by default), as PRODUCT.md
/// has it: after `failuresBeforeRestart` failures in a row the agent is restarted once; if it keeps
/// failing as many times after that, the tenant goes to `error` (audited, with the cause); a tenant in
/// `error` that answers again goes back to `running`. An agent that answers but reports a part of it in
/// `error` (ZeroClaw's `/health` body: `runtime.components.*.status`) is `degraded`: shown, logged once
/// and alertable, never restarted (a channel with a wrong token does not heal by a restart). When the
/// container runtime itself cannot be reached, no tenant is judged: the outage is reported instead.
public final class HealthChecker: Collector {
    public struct Settings: Sendable {
        public var nodeID: String
        public var interval: Duration
        public var concurrency: Int
        /// Time one probe may take.
        public var timeout: Duration
        public var failuresBeforeRestart: Int
        /// Where agents' gateways answer (`runtime.publish_address`).
        public var agentHost: String

        public init(
            nodeID: String, interval: Duration, concurrency: Int, timeout: Duration, failuresBeforeRestart: Int,
            agentHost: String = "127.0.0.1"
        ) {
            self.agentHost = agentHost
            self.nodeID = nodeID
            self.interval = interval
            self.concurrency = concurrency
            self.timeout = timeout
            self.failuresBeforeRestart = max(1, failuresBeforeRestart)
        }
    }

    public let name = "health"
    public var interval: Duration { settings.interval }
    let store: any Store
    let runtime: any ContainerRuntime
    let supervisor: any TenantSupervisor
    let board: HealthBoard
    let settings: Settings
    let logger: Logger
    let client: LazyHTTPClient
    let metrics: HealthMetrics

    public init(
        store: any Store, runtime: any ContainerRuntime, supervisor: any TenantSupervisor, board: HealthBoard,
        settings: Settings, metrics: MetricsRegistry, logger: Logger
    ) throws {
        self.store = store
        self.runtime = runtime
        self.supervisor = supervisor
        self.board = board
        self.settings = settings
        self.logger = logger
        self.metrics = HealthMetrics(metrics)
        // No idle connections kept: a thousand agents must not hold a thousand descriptors between cycles.
        client = LazyHTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: settings.timeout, readTimeout: settings.timeout, maxResponseBytes: 64 << 10,
                maxIdlePerEndpoint: 0))
    }

    public func shutdown() async { await client.shutdown() }

    /// What one probe found.
    enum Probe: Sendable {
        /// The agent answered 200; what its body says about its parts.
        case healthy(AgentHealth)
        case failed(String)
    }

    /// What the checker does about one tenant after its probe.
    enum Decision: Sendable, Equatable {
        case none
        case restart
        case markFailed
        case markRecovered
    }

    public func collect() async throws -> CollectionReport {
        let tenants = try await store.read { reader in
            try await reader.tenants(TenantFilter(nodeID: self.settings.nodeID, limit: Int.max))
        }.filter { ($0.status == .running || $0.status == .error) && $0.hostPort != nil && $0.movingTo == nil }
        board.retain(Set(tenants.map(\.id)))
        guard await runtimeReachable() else {
            // Agents cannot be told from a runtime that is down: judge nobody this cycle.
            return CollectionReport(targets: tenants.count)
        }
        let probes = await mapConcurrently(tenants, limit: settings.concurrency, timeout: settings.timeout) { tenant in
            await self.probe(tenant)
        }
        let now = Timestamp.now()
        var actions: [(Tenant, Decision, String)] = []
        var failures = 0
        for (tenant, outcome) in zip(tenants, probes) {
            let probe: Probe
            switch outcome {
            case .success(let result): probe = result
            case .failure(let error): probe = .failed(String(describing: error))
            }
            // A tenant already in `error` failing again is known news: only running tenants count, so
            // `zcplatform_collector_errors_total{collector="health"}` rises when something newly breaks.
            if case .failed = probe, tenant.status == .running { failures += 1 }
            let previous = board.health(of: tenant.id)
            let (health, decision) = Self.decide(
                previous: previous, probe: probe, status: tenant.status, now: now,
                failuresBeforeRestart: settings.failuresBeforeRestart)
            board.set(health, for: tenant.id)
            logDegradation(of: tenant.id, from: previous, to: health)
            if decision != .none { actions.append((tenant, decision, health.lastError ?? "unhealthy")) }
        }
        // The board holds this cycle's tenants only (retained above): one read of it for both gauges.
        let latest = board.all.values
        metrics.unhealthy.set(Double(latest.filter { !$0.healthy }.count), labels: [])
        metrics.degraded.set(Double(latest.filter(\.degraded).count), labels: [])
        _ = await mapConcurrently(actions, limit: settings.concurrency) { tenant, decision, reason in
            await self.act(decision, on: tenant, reason: reason, at: now)
        }
        return CollectionReport(targets: tenants.count, failures: failures, written: actions.count)
    }

    /// The rules, as a pure function of the last state and this probe.
    static func decide(
        previous: HealthBoard.TenantHealth?, probe: Probe, status: TenantStatus, now: Timestamp,
        failuresBeforeRestart: Int
    ) -> (HealthBoard.TenantHealth, Decision) {
        switch probe {
        case .healthy(let agent):
            // A degraded agent answers: it is healthy to the restart rules, and its failing parts are
            // shown (the last error names them) rather than acted on.
            let health = HealthBoard.TenantHealth(
                checkedAt: now, healthy: true, consecutiveFailures: 0, lastError: agent.summary,
                components: agent.components)
            return (health, status == .error ? .markRecovered : .none)
        case .failed(let why):
            var health =
                previous
                ?? HealthBoard.TenantHealth(
                    checkedAt: now, healthy: false, consecutiveFailures: 0, lastError: nil)
            health.checkedAt = now
            health.healthy = false
            health.lastError = why
            health.consecutiveFailures += 1
            guard status == .running, health.consecutiveFailures >= failuresBeforeRestart else {
                return (health, .none)
            }
            if health.restartedAt == nil {
                // The one automatic restart of this episode; failures count afresh after it.
                health.restartedAt = now
                health.consecutiveFailures = 0
                return (health, .restart)
            }
            return (health, .markFailed)
        }
    }

    private func probe(_ tenant: Tenant) async -> Probe {
        guard let port = tenant.hostPort else { return .failed("the tenant has no port") }
        do {
            let response = try await client.client().execute(
                .get, .tcp(host: settings.agentHost, port: port), "/health", timeout: settings.timeout)
            if response.status == .ok { return .healthy(AgentHealth(body: response.body)) }
            return .failed("/health answered \(response.status.code)")
        } catch let error as HTTPClientError {
            return .failed("/health: \(error)")
        } catch {
            return .failed("/health: \(error)")
        }
    }

    private func act(_ decision: Decision, on tenant: Tenant, reason: String, at now: Timestamp) async {
        let id = tenant.id
        do {
            switch decision {
            case .none: return
            case .restart:
                logger.warning(
                    "health.restarting",
                    ["tenant": id.rawValue, "failures": settings.failuresBeforeRestart, "reason": reason])
                if try await supervisor.restartUnhealthy(id, reason: reason) {
                    metrics.restarts.increment(labels: [])
                }
            case .markFailed:
                logger.error("health.failed", ["tenant": id.rawValue, "reason": reason])
                if try await supervisor.record(
                    .failed, for: id, reason: "health: \(reason) (still failing after an automatic restart)")
                {
                    metrics.transitions.increment(labels: ["failed"])
                }
            case .markRecovered:
                logger.notice("health.recovered", ["tenant": id.rawValue])
                if try await supervisor.record(.recovered, for: id, reason: "answers /health again") {
                    metrics.transitions.increment(labels: ["recovered"])
                }
            }
        } catch {
            logger.error(
                "health.action_failed",
                ["tenant": id.rawValue, "action": "\(decision)", "error": CollectorSchedule.describe(error)])
        }
    }

    /// Logs a tenant becoming degraded (or its failing parts changing) and its recovery, once each.
    private func logDegradation(
        of id: TenantID, from previous: HealthBoard.TenantHealth?, to health: HealthBoard.TenantHealth
    ) {
        // Keyed on the failing parts' names: a restart count that rises is not news.
        let was = previous?.degraded == true ? previous?.components.filter(\.failing).map(\.name) : nil
        let now = health.degraded ? health.components.filter(\.failing).map(\.name) : nil
        guard was != now else { return }
        if now != nil {
            logger.warning("health.degraded", ["tenant": id.rawValue, "failing": health.lastError ?? ""])
        } else if health.healthy {
            logger.notice("health.degraded_cleared", ["tenant": id.rawValue])
        }
    }

    /// Pings the runtime; reports an outage when it starts and when it ends.
    private func runtimeReachable() async -> Bool {
        do {
            try await runtime.ping()
            metrics.runtimeUp.set(1, labels: [runtime.driver])
            if let ended = board.setRuntimeOutage(nil).ended {
                logger.notice(
                    "health.runtime_recovered",
                    ["driver": runtime.driver, "down_seconds": Timestamp.now().seconds - ended.since.seconds])
            }
            return true
        } catch {
            metrics.runtimeUp.set(0, labels: [runtime.driver])
            let reason = CollectorSchedule.describe(error)
            if board.setRuntimeOutage(HealthBoard.RuntimeOutage(since: .now(), reason: reason)).started {
                logger.error(
                    "health.runtime_unavailable",
                    [
                        "driver": runtime.driver, "error": reason,
                        "detail": "tenants are not judged while the runtime is unreachable",
                    ])
            }
            return false
        }
    }
}

/// What the health checker reports at `/metrics`.
struct HealthMetrics: Sendable {
    let restarts: Counter
    let transitions: Counter
    let unhealthy: Gauge
    let degraded: Gauge
    let runtimeUp: Gauge

    init(_ registry: MetricsRegistry) {
        restarts = registry.counter(
            "zcplatform_health_restarts_total", help: "Agents restarted by the health checker.")
        transitions = registry.counter(
            "zcplatform_health_transitions_total", help: "Tenants the health checker moved to error or back.",
            labels: ["event"])
        unhealthy = registry.gauge(
            "zcplatform_health_unhealthy_tenants", help: "Tenants whose last health probe failed.")
        degraded = registry.gauge(
            "zcplatform_health_degraded_tenants",
            help: "Tenants whose agent answers but reports a part (a channel, the scheduler) in error.")
        runtimeUp = registry.gauge(
            "zcplatform_runtime_up", help: "1 when the container runtime answered its last call, else 0.",
            labels: ["driver"])
    }
}
