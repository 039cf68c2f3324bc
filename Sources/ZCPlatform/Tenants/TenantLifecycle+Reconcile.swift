import ZCCore
import ZCHTTP

extension TenantLifecycle {
    /// What one reconciliation changed.
    struct ReconcileReport: Sendable, Equatable {
        var orphansRemoved: [String] = []
        var recreated: [String] = []
        var started: [String] = []
        var stopped: [String] = []
        var redeployed: [String] = []
        /// Deploys whose agent ran healthy but whose end was never recorded.
        var finished: [String] = []
        /// Deploys past their timeout without a healthy agent.
        var failed: [String] = []

        var isEmpty: Bool {
            orphansRemoved.isEmpty && recreated.isEmpty && started.isEmpty && stopped.isEmpty && redeployed.isEmpty
                && finished.isEmpty && failed.isEmpty
        }

        var detail: [String: JSONValue] {
            func list(_ names: [String]) -> JSONValue { .array(names.map(JSONValue.string)) }
            return [
                "orphans_removed": list(orphansRemoved), "recreated": list(recreated), "started": list(started),
                "stopped": list(stopped), "redeployed": list(redeployed), "finished": list(finished),
                "failed": list(failed),
            ]
        }
    }

    /// Reconciles at start and every `reconcileInterval` after (sooner when woken), or every
    /// `reconcileRetry` while the runtime or the store cannot be reached, until cancelled.
    func reconcilePeriodically() async {
        while !Task.isCancelled {
            var wait = settings.reconcileInterval
            do {
                _ = try await reconcile()
                metrics.runtimeUp.set(1, labels: [runtime.driver])
            } catch is CancellationError {
                return
            } catch {
                if case ContainerRuntimeError.unavailable = error { metrics.runtimeUp.set(0, labels: [runtime.driver]) }
                wait = min(wait, settings.reconcileRetry)
                logger.error("reconcile.failed", ["error": "\(error)", "retry_seconds": wait.components.seconds])
            }
            await wakeup.wait(upTo: wait)
        }
    }

    /// Reconciles now rather than at the next interval: another node placed a tenant here, or work for
    /// this node may have been missed.
    public func wake() {
        wakeup.signal()
    }

    /// Brings the runtime and the store of this node into agreement: containers without a tenant are
    /// removed (their data directories are left alone); a running tenant whose container vanished gets a
    /// new one; a container whose tenant is stopped is stopped, one whose tenant runs is started; a deploy
    /// cut short by a restart of the platform runs again.
    func reconcile() async throws -> ReconcileReport {
        guard !isFenced else {
            logger.notice("reconcile.skipped", ["reason": "the node is fenced"])
            return ReconcileReport()
        }
        let containers = try await runtime.list(labels: ["zcplatform.node": settings.nodeID])
        let tenants = try await store.read {
            try await $0.tenants(TenantFilter(nodeID: self.settings.nodeID, limit: Int.max))
        }
        let known = Set(tenants.map(\.id.rawValue))
        let instance = try await instanceID()
        var byTenant: [String: ContainerInfo] = [:]
        var report = ReconcileReport()
        for container in containers {
            guard let owner = container.labels["zcplatform.tenant"], known.contains(owner) else {
                // Only a container this database made is an orphan to remove. One of another database (a
                // new, empty one started by mistake, another platform on the node's engine) is left alone.
                guard container.labels["zcplatform.instance"] == instance else {
                    logger.warning(
                        "reconcile.foreign_container",
                        [
                            "container": container.name, "instance": container.labels["zcplatform.instance"] ?? "none",
                            "detail": "not made by this database: left alone",
                        ])
                    continue
                }
                logger.warning("reconcile.orphan", ["container": container.name])
                do {
                    try await runtime.remove(container.id, force: true)
                } catch ContainerRuntimeError.notFound {}
                report.orphansRemoved.append(container.name)
                continue
            }
            byTenant[owner] = container
        }
        for tenant in tenants {
            let container = byTenant[tenant.id.rawValue]
            if tenant.movingTo != nil {
                // Its move stops and starts its agent; reconciliation leaves it to the move.
                startMoveIfAsked(tenant)
                continue
            }
            switch tenant.status {
            case .deploying:
                // A deploy queued or running here goes on; one whose pipeline ended without recording its
                // end (the store refused), or that a restart cut short, is settled here.
                let active =
                    pendingDeploys.withLock { $0.contains(tenant.id) }
                    || runningDeploys.withLock { $0.contains(tenant.id) }
                guard !active else { break }
                switch try await settleDeploy(tenant, container: container) {
                case .finished: report.finished.append(tenant.id.rawValue)
                case .failed: report.failed.append(tenant.id.rawValue)
                case .redeploy:
                    enqueue(.deploy(tenant.id, actor: "system:reconcile"))
                    report.redeployed.append(tenant.id.rawValue)
                }
            case .running where container == nil:
                try await locks.withLock(tenant.id) { try await self.startAgent(tenant) }
                report.recreated.append(tenant.id.rawValue)
            case .running where container?.state != .running:
                try await locks.withLock(tenant.id) { try await self.startAgent(tenant) }
                report.started.append(tenant.id.rawValue)
            case .stopped where container?.state == .running:
                try await runtime.stop(ContainerID(tenant: tenant.id), timeout: settings.stopTimeout)
                report.stopped.append(tenant.id.rawValue)
            default:
                break
            }
        }
        try await drainStep(tenants)
        logger.notice(
            "reconcile.done",
            [
                "containers": containers.count, "tenants": tenants.count,
                "orphans_removed": report.orphansRemoved.count,
                "recreated": report.recreated.count, "started": report.started.count,
                "stopped": report.stopped.count, "redeployed": report.redeployed.count,
                "finished": report.finished.count, "failed": report.failed.count,
            ])
        if !report.isEmpty {
            let detail = report.detail
            try await store.withTransaction { transaction in
                try await transaction.appendAudit(
                    NewAuditEvent(at: .now(), actor: "system:reconcile", action: "platform.reconcile", detail: detail))
            }
        }
        return report
    }

    enum DeploySettlement: Sendable {
        case finished, failed, redeploy
    }

    /// A `deploying` tenant with no deploy running here: its agent answering `/health` means only the
    /// recording of its end was lost, so the deploy is finished; past `deployTimeout` without a healthy
    /// agent it has failed, its cause in `error_message`; otherwise (a restart cut it short) it runs again.
    func settleDeploy(_ tenant: Tenant, container: ContainerInfo?) async throws -> DeploySettlement {
        try await locks.withLock(tenant.id) {
            guard let current = try await self.store.tenant(tenant.id), current.status == .deploying else {
                return .finished
            }
            let healthy = container?.state == .running ? await self.answersHealth(current) : false
            if healthy, let container {
                try await self.finishDeploy(
                    current.id, actor: "system:reconcile", container: container.id, failure: nil)
                self.logger.notice("tenant.deploy_settled", ["tenant": current.id.rawValue, "outcome": "finished"])
                return .finished
            }
            let age = Timestamp.now().seconds - current.updatedAt.seconds
            guard age >= self.settings.deployTimeout.components.seconds else { return .redeploy }
            let state = container.map { "the agent is \($0.state.rawValue)" } ?? "it has no container"
            try await self.finishDeploy(
                current.id, actor: "system:reconcile", container: nil,
                failure: DeployStepFailure(
                    step: "deploy",
                    cause:
                        "did not finish within \(self.settings.deployTimeout.components.seconds) s (\(state)); deploy it again"
                ))
            self.logger.warning("tenant.deploy_settled", ["tenant": current.id.rawValue, "outcome": "failed"])
            return .failed
        }
    }

    /// One probe of the agent's `/health`.
    func answersHealth(_ tenant: Tenant) async -> Bool {
        guard let port = tenant.hostPort, let probe = probeClient.withLock({ $0 }) else { return false }
        let response = try? await probe.execute(
            .get, .tcp(host: settings.agentHost, port: port), "/health", timeout: .seconds(5))
        return response?.status == .ok
    }
}
