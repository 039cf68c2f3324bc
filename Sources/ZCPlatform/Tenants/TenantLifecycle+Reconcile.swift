import ZCCore

extension TenantLifecycle {
    /// What one reconciliation changed.
    struct ReconcileReport: Sendable, Equatable {
        var orphansRemoved: [String] = []
        var recreated: [String] = []
        var started: [String] = []
        var stopped: [String] = []
        var redeployed: [String] = []

        var isEmpty: Bool {
            orphansRemoved.isEmpty && recreated.isEmpty && started.isEmpty && stopped.isEmpty && redeployed.isEmpty
        }

        var detail: [String: JSONValue] {
            func list(_ names: [String]) -> JSONValue { .array(names.map(JSONValue.string)) }
            return [
                "orphans_removed": list(orphansRemoved), "recreated": list(recreated), "started": list(started),
                "stopped": list(stopped), "redeployed": list(redeployed),
            ]
        }
    }

    /// Reconciles once the runtime answers, trying again while it does not.
    func reconcileUntilDone() async {
        while !Task.isCancelled {
            do {
                _ = try await reconcile()
                metrics.runtimeUp.set(1, labels: [runtime.driver])
                return
            } catch is CancellationError {
                return
            } catch {
                if case ContainerRuntimeError.unavailable = error { metrics.runtimeUp.set(0, labels: [runtime.driver]) }
                logger.error(
                    "reconcile.failed",
                    ["error": "\(error)", "retry_seconds": settings.reconcileRetry.components.seconds])
            }
            do { try await Task.sleep(for: settings.reconcileRetry) } catch { return }
        }
    }

    /// Brings the runtime and the store of this node into agreement: containers without a tenant are
    /// removed (their data directories are left alone); a running tenant whose container vanished gets a
    /// new one; a container whose tenant is stopped is stopped, one whose tenant runs is started; a deploy
    /// cut short by a restart of the platform runs again.
    func reconcile() async throws -> ReconcileReport {
        let containers = try await runtime.list(labels: ["zcplatform.node": settings.nodeID])
        let tenants = try await store.read {
            try await $0.tenants(TenantFilter(nodeID: self.settings.nodeID, limit: Int.max))
        }
        let known = Set(tenants.map(\.id.rawValue))
        var byTenant: [String: ContainerInfo] = [:]
        var report = ReconcileReport()
        for container in containers {
            guard let owner = container.labels["zcplatform.tenant"], known.contains(owner) else {
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
            switch tenant.status {
            case .deploying:
                enqueue(.deploy(tenant.id, actor: "system:reconcile"))
                report.redeployed.append(tenant.id.rawValue)
            case .running where container == nil:
                try await locks.withLock(tenant.id) { try await self.startAgent(tenant) }
                report.recreated.append(tenant.id.rawValue)
            case .running where container?.state != .running:
                try await locks.withLock(tenant.id) { try await self.startAgent(tenant) }
                report.started.append(tenant.id.rawValue)
            case .stopped where container?.state == .running:
                try await runtime.stop(ContainerID(tenant.id.containerName), timeout: settings.stopTimeout)
                report.stopped.append(tenant.id.rawValue)
            default:
                break
            }
        }
        logger.notice(
            "reconcile.done",
            [
                "containers": containers.count, "tenants": tenants.count,
                "orphans_removed": report.orphansRemoved.count,
                "recreated": report.recreated.count, "started": report.started.count,
                "stopped": report.stopped.count, "redeployed": report.redeployed.count,
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
}
