import ZCCore
import ZCHTTP

/// What a rollout asks of a tenant's node: its agent made again from the image its record names, and
/// the health gate the new agent must pass. The tenant's data directory is never touched; its config is
/// written again as at every start, its pairings kept.
extension TenantLifecycle {
    /// Why a health gate failed, in the operator's words.
    struct GateFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Replaces the tenant's agent with one made from the image its record names, under the tenant's
    /// lock: the old container stopped and removed, the new one created, and started when the tenant is
    /// `running`. Returns the tenant as read and the new container, nil when it has none (never deployed).
    func replaceAgent(_ id: TenantID) async throws -> (Tenant, ContainerID?) {
        try await locks.withLock(id) {
            try self.refuseWhileFenced()
            guard let tenant = try await self.store.tenant(id) else {
                throw Failure.notFound("tenant '\(id)' not found")
            }
            guard tenant.uid != nil, tenant.hostPort != nil else { return (tenant, nil) }
            let name = self.container(of: tenant)
            if try await self.runtime.inspect(name) != nil {
                do {
                    try await self.runtime.stop(name, timeout: self.settings.stopTimeout)
                } catch ContainerRuntimeError.notFound {}
            }
            let container = try await self.createContainer(for: tenant)
            if tenant.status == .running { try await self.runtime.start(container) }
            return (tenant, container)
        }
    }

    /// The health gate: the agent answers `/health` (within the health timeout), then keeps answering for
    /// `seconds` without a restart, and its `zeroclaw_errors_total` rises no faster than `baseline` (errors
    /// a second before the update; nil when unknown) allows. `cancelled` is asked every second: true ends
    /// the gate early (the rollout was halted meanwhile).
    func gate(
        _ tenant: Tenant, container: ContainerID, seconds: Int, baseline: Double?,
        cancelled: @Sendable () async -> Bool
    ) async throws -> Bool {
        do {
            try await waitHealthy(tenant, container: container)
        } catch let cause as StepCause {
            throw GateFailure(description: cause.message)
        }
        guard let started = try await runtime.inspect(container)?.startedAt else {
            throw GateFailure(description: "the agent is gone right after answering /health")
        }
        let before = await errorCount(of: tenant)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        while clock.now < deadline {
            if await cancelled() { return false }
            try await Task.sleep(for: min(.seconds(1), deadline - clock.now))
            guard let info = try await runtime.inspect(container), info.state == .running else {
                throw GateFailure(description: "the agent stopped during the \(seconds) s health gate")
            }
            guard info.startedAt == started else {
                throw GateFailure(description: "the agent restarted during the \(seconds) s health gate")
            }
            guard await answersHealth(tenant) else {
                throw GateFailure(
                    description: "the agent stopped answering /health during the \(seconds) s health gate")
            }
        }
        if let before, let after = await errorCount(of: tenant) {
            let rose = max(0, after - before)
            let allowed = Self.allowedErrors(baseline: baseline, seconds: seconds)
            if rose > allowed {
                throw GateFailure(
                    description:
                        "zeroclaw_errors_total rose by \(Int(rose)) in the \(seconds) s health gate (\(Int(allowed)) allowed at the old agent's rate of \(String(format: "%.3f", baseline ?? 0))/s)"
                )
            }
        }
        return true
    }

    /// The errors a gate of `seconds` tolerates: twice what the old agent's rate would have made, and
    /// at least one (a single error is noise).
    static func allowedErrors(baseline: Double?, seconds: Int) -> Double {
        max(1, ((baseline ?? 0) * Double(seconds) * 2).rounded(.up))
    }

    /// The agent's errors a second since it started: its `zeroclaw_errors_total` over its uptime; nil
    /// when it does not say (not running, Prometheus off).
    func errorRate(of tenant: Tenant) async -> Double? {
        guard tenant.status == .running, let startedAt = tenant.startedAt, let count = await errorCount(of: tenant)
        else { return nil }
        return count / Double(max(1, Timestamp.now().seconds - startedAt.seconds))
    }

    /// The sum of the agent's `zeroclaw_errors_total`, read from its `/metrics` (at most 1 MiB); nil
    /// when it does not answer or has no such series.
    func errorCount(of tenant: Tenant) async -> Double? {
        guard let port = tenant.hostPort, let probe = probeClient.withLock({ $0 }) else { return nil }
        guard
            let response = try? await probe.execute(
                .get, .tcp(host: settings.agentHost, port: port), "/metrics", timeout: .seconds(5)),
            response.status == .ok
        else { return nil }
        return Self.errorCount(in: response.body)
    }

    /// `zeroclaw_errors_total` summed over its series in a `/metrics` answer (the agent's, so a tenant's):
    /// nil when absent, unparsable, or not a finite count of zero or more (a NaN would pass every gate).
    static func errorCount(in body: [UInt8]) -> Double? {
        guard let exposition = try? PrometheusTextParser.parse(body),
            let sum = exposition.sum("zeroclaw_errors_total"), sum.isFinite, sum >= 0
        else { return nil }
        return sum
    }
}
