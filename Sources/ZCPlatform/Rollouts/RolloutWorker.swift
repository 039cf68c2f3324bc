import Synchronization
import ZCCore

/// A node's part in the rollouts: it pulls and pins each rollout's image once (before the leader lets
/// any tenant be touched), and performs the updates and rollbacks of the tenants placed on it, each
/// tenant one at a time. It keeps nothing that matters in memory: a tenant's row says what is left
/// (`updating`: swap the image, replace the agent, gate it; `rolling_back`: put the old image back), so
/// after kill -9 the node takes each row up again from its start. The tenant's record holds one image
/// at every moment, and its agent is made from that record.
final class RolloutWorker: Service {
    let name = "rollout-worker"
    let store: any Store
    let lifecycle: TenantLifecycle
    let runtime: any ContainerRuntime
    let nodeID: String
    let logger: Logger
    let wakeup: Wakeup
    /// Wakes the other half on this node (the worker for the driver, the driver for the worker): on a
    /// store without signals (SQLite) nothing else would before its next look.
    let wakePeer: @Sendable () -> Void
    let activeInterval: Duration
    let idleInterval: Duration
    /// Tenants whose update or rollback runs in this process now.
    private let inFlight = Mutex<Set<TenantID>>([])
    /// Rollouts whose image this node has pinned (or failed to), so it asks the engine once.
    private let prepared = Mutex<Set<String>>([])

    init(
        store: any Store, lifecycle: TenantLifecycle, runtime: any ContainerRuntime, nodeID: String, logger: Logger,
        activeInterval: Duration = .seconds(1), idleInterval: Duration = .seconds(15), wakeup: Wakeup = Wakeup(),
        wakePeer: @escaping @Sendable () -> Void = {}
    ) {
        self.wakeup = wakeup
        self.wakePeer = wakePeer
        self.store = store
        self.lifecycle = lifecycle
        self.runtime = runtime
        self.nodeID = nodeID
        self.logger = logger
        self.activeInterval = activeInterval
        self.idleInterval = idleInterval
    }

    func wake() { wakeup.signal() }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                var active = false
                do {
                    let unfinished = try await store.read { try await $0.unfinishedRollouts() }
                    active = !unfinished.isEmpty
                    for rollout in unfinished where rollout.state == .pending || rollout.state == .running {
                        try await prepare(rollout)
                    }
                    let work = active ? try await store.read { try await $0.rolloutWork(nodeID: self.nodeID) } : []
                    for row in work where inFlight.withLock({ $0.insert(row.tenantID).inserted }) {
                        group.addTask {
                            await self.perform(row)
                            self.inFlight.withLock { _ = $0.remove(row.tenantID) }
                        }
                    }
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("rollout.worker_failed", ["node": nodeID, "error": "\(error)"])
                }
                _ = await wakeup.wait(upTo: active ? activeInterval : idleInterval)
            }
        }
    }

    /// Pulls and pins the rollout's image on this node once (every live node does, tenants here or not).
    private func prepare(_ rollout: Rollout) async throws {
        guard !prepared.withLock({ $0.contains(rollout.id) }) else { return }
        _ = try await pin(rollout)
    }

    /// The rollout's image pinned on this node: recorded already, or pinned now and recorded.
    private func pin(_ rollout: Rollout) async throws -> RolloutNode {
        if let known = try await store.read({ try await $0.rolloutNodes(of: rollout.id) }).first(where: {
            $0.nodeID == nodeID
        }) {
            return known
        }
        var node = RolloutNode(rolloutID: rollout.id, nodeID: nodeID, pinned: nil, error: nil, preparedAt: .now())
        do {
            node.pinned = try await runtime.pinImage(rollout.image)
            logger.notice("rollout.image_pinned", ["rollout": rollout.id, "image": node.pinned ?? ""])
        } catch let error as any PublicError {
            node.error = error.publicMessage
            logger.warning("rollout.image_failed", ["rollout": rollout.id, "error": error.publicMessage])
        }
        let recorded = node
        try await store.withTransaction { transaction in
            try await transaction.upsertRolloutNode(recorded)
            try await transaction.signal(RolloutService.channel, payload: recorded.rolloutID)
        }
        wakePeer()
        prepared.withLock { _ = $0.insert(rollout.id) }
        return node
    }

    private func perform(_ row: RolloutTenant) async {
        do {
            guard let rollout = try await store.read({ try await $0.rollout(row.rolloutID) }) else { return }
            switch row.state {
            case .updating: try await update(row, of: rollout)
            case .rollingBack: try await revert(row, of: rollout)
            default: return
            }
        } catch is CancellationError {
        } catch {
            logger.warning(
                "rollout.tenant_step_failed",
                ["rollout": row.rolloutID, "tenant": row.tenantID.rawValue, "error": "\(error)"])
        }
    }

    /// The row as stored now.
    private func current(_ row: RolloutTenant) async throws -> RolloutTenant? {
        try await store.read { try await $0.rolloutTenant(of: row.rolloutID, tenant: row.tenantID) }
    }

    /// Swap the image, replace the agent, gate it; healthy, or failed and back on its old image.
    private func update(_ row: RolloutTenant, of rollout: Rollout) async throws {
        let id = row.tenantID
        let node = try await pin(rollout)
        guard let pinned = node.pinned else {
            try await settle(
                row, .failed, error: "image \(rollout.image): \(node.error ?? "cannot be pulled")", from: [.updating])
            return
        }
        guard let before = try await store.tenant(id), before.nodeID == nodeID, before.movingTo == nil,
            before.status != .deploying
        else { return }  // moved, moving or deploying: taken up again later, by its node
        let baseline = await lifecycle.errorRate(of: before)
        let fallback = lifecycle.settings.image
        let swapped = try await store.withTransaction { transaction -> Bool in
            guard var tenant = try await transaction.tenant(id), tenant.nodeID == self.nodeID,
                var current = try await transaction.rolloutTenant(of: row.rolloutID, tenant: id),
                current.state == .updating
            else { return false }
            guard tenant.image != pinned else { return true }  // swapped before a restart: from is kept
            current.from = tenant.image ?? fallback
            current.updatedAt = .now()
            tenant.image = pinned
            try await transaction.updateTenant(tenant)
            return try await transaction.updateRolloutTenant(current, expecting: [.updating])
        }
        guard swapped else { return }
        let (tenant, container) = try await replaceAgentOrFail(row, rollout)
        guard let tenant, let container, tenant.status == .running else {
            // Stopped (or never deployed): updated without being started.
            try await settle(
                row, .healthy, error: nil, from: [.updating], audit: "rollout.tenant_updated", image: pinned)
            return
        }
        do {
            let passed = try await lifecycle.gate(
                tenant, container: container, seconds: rollout.healthSeconds, baseline: baseline,
                cancelled: { [weak self] in (try? await self?.current(row))??.state != .updating })
            guard passed else {
                try await revert(row, of: rollout)
                return
            }
            if try await settle(
                row, .healthy, error: nil, from: [.updating], audit: "rollout.tenant_updated", image: pinned)
            {
                logger.notice(
                    "rollout.tenant_updated", ["rollout": rollout.id, "tenant": id.rawValue, "image": pinned])
            } else {
                try await revert(row, of: rollout)
            }
        } catch let failure as TenantLifecycle.GateFailure {
            logger.warning(
                "rollout.tenant_failed", ["rollout": rollout.id, "tenant": id.rawValue, "reason": failure.description])
            try await settle(
                row, .rollingBack, error: failure.description, from: [.updating], audit: "rollout.tenant_failed",
                image: pinned)
            try await revert(row, of: rollout)
        }
    }

    /// Replaces the agent; a runtime that refuses counts as a failed update (the tenant goes back).
    private func replaceAgentOrFail(_ row: RolloutTenant, _ rollout: Rollout) async throws -> (Tenant?, ContainerID?) {
        do {
            let (tenant, container) = try await lifecycle.replaceAgent(row.tenantID)
            return (tenant, container)
        } catch let error as any PublicError {
            throw TenantLifecycle.GateFailure(description: "the new agent could not be made: \(error.publicMessage)")
        }
    }

    /// Puts the image the tenant had back, and its agent made from it (started when it runs).
    private func revert(_ row: RolloutTenant, of rollout: Rollout) async throws {
        guard let current = try await current(row), current.state == .rollingBack || current.state == .updating else {
            return
        }
        let id = row.tenantID
        let target = current.from ?? lifecycle.settings.image
        let ready = try await store.withTransaction { transaction -> Bool in
            guard var tenant = try await transaction.tenant(id), tenant.nodeID == self.nodeID else { return false }
            var marked = current
            if marked.state == .updating {
                // Halted while its gate ran: it goes back with its batch.
                marked.state = .rollingBack
                marked.updatedAt = .now()
                guard try await transaction.updateRolloutTenant(marked, expecting: [.updating]) else { return false }
            }
            if tenant.image != target {
                tenant.image = target
                try await transaction.updateTenant(tenant)
            }
            return true
        }
        guard ready else { return }
        let (tenant, container) = try await lifecycle.replaceAgent(id)
        if let container, tenant.status == .running {
            do {
                try await lifecycle.waitHealthy(tenant, container: container)
            } catch {
                logger.error(
                    "rollout.rollback_unhealthy",
                    ["rollout": rollout.id, "tenant": id.rawValue, "image": target, "error": "\(error)"])
            }
        }
        let final: RolloutTenantState = current.error == nil ? .rolledBack : .failed
        try await settle(
            row, final, error: current.error, from: [.rollingBack], audit: "rollout.tenant_rolled_back", image: target)
        logger.notice(
            "rollout.tenant_rolled_back",
            ["rollout": rollout.id, "tenant": id.rawValue, "image": target, "state": final.rawValue])
    }

    /// Writes the row's new state if it is still in one of `from`, audited; false when it was not.
    @discardableResult
    private func settle(
        _ row: RolloutTenant, _ state: RolloutTenantState, error: String?, from: Set<RolloutTenantState>,
        audit action: String? = nil, image: String? = nil
    ) async throws -> Bool {
        let rolloutID = row.rolloutID
        let nodeID = self.nodeID
        let written = try await store.withTransaction { transaction -> Bool in
            guard
                var current = try await transaction.rolloutTenant(of: rolloutID, tenant: row.tenantID)
            else { return false }
            current.state = state
            current.error = error.map { String($0.prefix(1000)) }
            current.updatedAt = .now()
            guard try await transaction.updateRolloutTenant(current, expecting: from) else { return false }
            if let action {
                var detail: [String: JSONValue] = [
                    "rollout": .string(rolloutID), "state": .string(state.rawValue), "node": .string(nodeID),
                    "from": current.from.map(JSONValue.string) ?? .null,
                ]
                if let image { detail["image"] = .string(image) }
                if let error { detail["cause"] = .string(String(error.prefix(1000))) }
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: .now(), actor: "system:rollout", action: action, tenantID: row.tenantID.rawValue,
                        target: rolloutID, detail: detail))
            }
            try await transaction.signal(RolloutService.channel, payload: rolloutID)
            return true
        }
        if written { wakePeer() }
        return written
    }
}
