import ZCCore

/// What an operator changes about the cluster's nodes: drain a node (it takes no new tenants, and moves
/// its own away one at a time) and undrain it. For the API and the CLI alike; audited.
public struct ClusterAdministration: Sendable {
    let store: any Store
    /// Weighs the target's room for a move; nil where only nodes are administered.
    let placement: NodePlacement?

    public init(store: any Store, placement: NodePlacement? = nil) {
        self.store = store
        self.placement = placement
    }

    /// The same, with placement as `configuration` sets it (the CLI).
    public init(store: any Store, configuration: PlatformConfiguration) {
        self.init(store: store, placement: NodePlacement(configuration))
    }

    /// Records that tenant `id` moves to `target` (whose room is taken now, under its row's lock) and
    /// signals the tenant's node, which runs the move.
    public func requestMove(_ id: TenantID, to target: String, actor: String, clientIP: String?) async throws -> Tenant
    {
        guard let placement else { throw Failure(.internalFailure, "no placement to weigh the move with") }
        return try await store.withTransaction { transaction in
            guard var tenant = try await transaction.tenant(id) else {
                throw Failure.notFound("tenant '\(id)' not found")
            }
            guard let source = tenant.nodeID else {
                throw Failure.conflict(
                    "tenant '\(id)' has never been deployed; deploy it with {\"node\": \"\(target)\"} instead")
            }
            if let moving = tenant.movingTo {
                throw Failure.conflict("tenant '\(id)' is already moving to node \(moving)")
            }
            guard source != target else { throw Failure.conflict("tenant '\(id)' already lives on node \(target)") }
            guard [.running, .stopped, .error].contains(tenant.status) else {
                throw Failure.conflict(
                    "tenant '\(id)' is \(tenant.status.rawValue); only a running, stopped or failed tenant moves")
            }
            _ = try await placement.place(plan: tenant.plan, pinned: target, in: transaction)
            tenant.movingTo = target
            tenant.updatedAt = .now()
            try await transaction.updateTenant(tenant)
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: .now(), actor: actor, action: "tenant.move", tenantID: id.rawValue, clientIP: clientIP,
                    detail: ["from": .string(source), "to": .string(target)]))
            try await transaction.signal(TenantLifecycle.workChannel, payload: source)
            return tenant
        }
    }

    /// Sets node `id` draining (`drain: true`) or active again, and wakes it.
    @discardableResult
    public func setDraining(_ id: String, _ drain: Bool, by caller: Caller) async throws -> Node {
        try await store.withTransaction { transaction in
            guard let node = try await transaction.lockNode(id) else {
                throw Failure.notFound("node '\(id)' is not a node of this cluster")
            }
            guard node.state != .down else {
                throw Failure.conflict(
                    "node \(id) is down: its tenants' data is on its disk, so it can neither drain nor take tenants until it is back"
                )
            }
            guard let changed = try await transaction.setNodeState(id, to: drain ? .draining : .active) else {
                throw Failure.notFound("node '\(id)' is not a node of this cluster")
            }
            if changed.state != node.state {
                try await transaction.audit(
                    drain ? "node.drain" : "node.undrain", by: caller, target: "node:\(id)",
                    detail: ["from": .string(node.state.rawValue)])
                try await transaction.signal(TenantLifecycle.workChannel, payload: id)
            }
            return changed
        }
    }
}
