import ZCCore

/// The health checker's hands: each call under the tenant's lock, re-reading the tenant first, and
/// audited as the actor `system:health`.
extension TenantLifecycle: TenantSupervisor {
    static let healthActor = "system:health"

    public func restartUnhealthy(_ id: TenantID, reason: String) async throws -> Bool {
        try await locks.withLock(id) {
            guard let tenant = try await self.store.tenant(id), tenant.status == .running else { return false }
            do {
                try await self.startAgent(tenant, restart: true)
            } catch {
                self.metrics.actions.increment(labels: ["auto_restart", "failed"])
                await self.auditAlone(
                    "tenant.auto_restart", tenant: id, actor: Self.healthActor,
                    detail: ["reason": .string(reason), "outcome": "failed"])
                throw error
            }
            self.metrics.actions.increment(labels: ["auto_restart", "succeeded"])
            return try await self.store.withTransaction { transaction in
                guard var current = try await transaction.tenant(id) else { return false }
                current.startedAt = .now()
                current.updatedAt = .now()
                try await transaction.updateTenant(current)
                try await self.audit(
                    "tenant.auto_restart", tenant: id, actor: Self.healthActor,
                    detail: ["reason": .string(reason), "outcome": "succeeded"], in: transaction)
                return true
            }
        }
    }

    public func record(_ event: TenantEvent, for id: TenantID, reason: String) async throws -> Bool {
        try await locks.withLock(id) {
            let changed = try await self.store.withTransaction { transaction -> Bool in
                guard var tenant = try await transaction.tenant(id),
                    let target = TenantStatusMachine.apply(event, to: tenant.status)
                else { return false }
                let from = tenant.status
                tenant.status = target
                tenant.updatedAt = .now()
                switch event {
                case .failed:
                    tenant.errorMessage = self.scrubber.scrub(reason)
                case .recovered:
                    tenant.errorMessage = nil
                    tenant.startedAt = .now()
                default: break
                }
                try await transaction.updateTenant(tenant)
                try await self.audit(
                    "tenant.\(event == .failed ? "failed" : "recovered")", tenant: id, actor: Self.healthActor,
                    detail: ["from": .string(from.rawValue), "reason": .string(self.scrubber.scrub(reason))],
                    in: transaction)
                return true
            }
            if changed { self.metrics.actions.increment(labels: [event.rawValue, "succeeded"]) }
            return changed
        }
    }
}
