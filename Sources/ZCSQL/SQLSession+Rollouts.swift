import ZCCore

/// Rollouts, their tenants and their nodes (see `Rollout`).
enum RolloutRows {
    static let columns = """
        id, image, state, canary, batch_size, health_seconds, max_failures, pause_after_canary, whole_fleet, \
        failure_base, reason, created_by, created_at, updated_at, finished_at
        """
    static let tenantColumns = "rollout_id, tenant_id, position, batch, state, from_image, error, updated_at"

    static func rollout(_ row: SQLRow) throws -> Rollout {
        guard let state = RolloutState(rawValue: try row.string("state")) else {
            throw StoreError(.other, "column 'state' of rollouts holds an unknown state")
        }
        return Rollout(
            id: try row.string("id"), image: try row.string("image"), state: state, canary: try row.int("canary"),
            batchSize: try row.int("batch_size"), healthSeconds: try row.int("health_seconds"),
            maxFailures: try row.int("max_failures"), pauseAfterCanary: try row.bool("pause_after_canary"),
            wholeFleet: try row.bool("whole_fleet"), failureBase: try row.int("failure_base"),
            reason: try row.optionalString("reason"), createdBy: try row.string("created_by"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"),
            finishedAt: try row.optionalTimestamp("finished_at"))
    }

    static func tenant(_ row: SQLRow) throws -> RolloutTenant {
        guard let state = RolloutTenantState(rawValue: try row.string("state")) else {
            throw StoreError(.other, "column 'state' of rollout_tenants holds an unknown state")
        }
        return RolloutTenant(
            rolloutID: try row.string("rollout_id"), tenantID: TenantID(trusted: try row.string("tenant_id")),
            position: try row.int("position"), batch: try row.int("batch"), state: state,
            from: try row.optionalString("from_image"), error: try row.optionalString("error"),
            updatedAt: try row.timestamp("updated_at"))
    }

    static func node(_ row: SQLRow) throws -> RolloutNode {
        RolloutNode(
            rolloutID: try row.string("rollout_id"), nodeID: try row.string("node_id"),
            pinned: try row.optionalString("pinned"), error: try row.optionalString("error"),
            preparedAt: try row.timestamp("prepared_at"))
    }

    static func states(_ states: Set<RolloutTenantState>) -> SQLQuery {
        var query: SQLQuery = "("
        for (index, state) in states.map(\.rawValue).sorted().enumerated() {
            query += index == 0 ? "\(state)" : ", \(state)"
        }
        return query + ")"
    }
}

extension SQLSession {
    func rollouts(limit: Int) async throws -> [Rollout] {
        try await rows(
            "SELECT \(raw: RolloutRows.columns) FROM rollouts ORDER BY id DESC LIMIT \(max(1, limit))"
        ).map(RolloutRows.rollout)
    }

    func rollout(_ id: String) async throws -> Rollout? {
        try await firstRow("SELECT \(raw: RolloutRows.columns) FROM rollouts WHERE id = \(id)").map(RolloutRows.rollout)
    }

    func unfinishedRollouts() async throws -> [Rollout] {
        try await rows(
            """
            SELECT \(raw: RolloutRows.columns) FROM rollouts WHERE state NOT IN ('completed', 'rolled_back', \
            'failed', 'aborted') OR id IN (SELECT rollout_id FROM rollout_tenants WHERE state IN ('updating', \
            'rolling_back')) ORDER BY id
            """
        ).map(RolloutRows.rollout)
    }

    func rolloutTenants(of rolloutID: String) async throws -> [RolloutTenant] {
        try await rows(
            """
            SELECT \(raw: RolloutRows.tenantColumns) FROM rollout_tenants WHERE rollout_id = \(rolloutID) \
            ORDER BY position
            """
        ).map(RolloutRows.tenant)
    }

    func rolloutTenant(of rolloutID: String, tenant: TenantID) async throws -> RolloutTenant? {
        try await firstRow(
            """
            SELECT \(raw: RolloutRows.tenantColumns) FROM rollout_tenants WHERE rollout_id = \(rolloutID) \
            AND tenant_id = \(tenant)
            """
        ).map(RolloutRows.tenant)
    }

    func rolloutWork(nodeID: String) async throws -> [RolloutTenant] {
        try await rows(
            """
            SELECT r.rollout_id, r.tenant_id, r.position, r.batch, r.state, r.from_image, r.error, r.updated_at \
            FROM rollout_tenants r JOIN tenants t ON t.id = r.tenant_id \
            WHERE r.state IN ('updating', 'rolling_back') AND t.node_id = \(nodeID) ORDER BY r.rollout_id, r.position
            """
        ).map(RolloutRows.tenant)
    }

    func rolloutNodes(of rolloutID: String) async throws -> [RolloutNode] {
        try await rows(
            """
            SELECT rollout_id, node_id, pinned, error, prepared_at FROM rollout_nodes \
            WHERE rollout_id = \(rolloutID) ORDER BY node_id
            """
        ).map(RolloutRows.node)
    }

    func agentRelease() async throws -> String? {
        try await firstRow("SELECT value FROM platform_meta WHERE key = 'agent_release'")?.string("value")
    }
}

extension SQLWriteSession {
    func lockRollouts() async throws {
        try await run(
            """
            INSERT INTO platform_meta (key, value) VALUES ('rollout_lock', '') \
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)
    }

    func insertRollout(_ rollout: Rollout, tenants: [RolloutTenant]) async throws {
        let r = rollout
        try await run(
            """
            INSERT INTO rollouts (\(raw: RolloutRows.columns)) VALUES (\(r.id), \(r.image), \(r.state.rawValue), \
            \(r.canary), \(r.batchSize), \(r.healthSeconds), \(r.maxFailures), \(r.pauseAfterCanary ? 1 : 0), \
            \(r.wholeFleet ? 1 : 0), \(r.failureBase), \(r.reason), \(r.createdBy), \(r.createdAt), \(r.updatedAt), \
            \(r.finishedAt))
            """)
        try await runMany(
            tenants.map { t in
                """
                INSERT INTO rollout_tenants (\(raw: RolloutRows.tenantColumns)) VALUES (\(r.id), \(t.tenantID), \
                \(t.position), \(t.batch), \(t.state.rawValue), \(t.from), \(t.error), \(t.updatedAt))
                """
            })
    }

    func updateRollout(_ rollout: Rollout, expecting state: RolloutState) async throws -> Bool {
        let r = rollout
        return try await run(
            """
            UPDATE rollouts SET state = \(r.state.rawValue), pause_after_canary = \(r.pauseAfterCanary ? 1 : 0), failure_base = \(r.failureBase), reason = \(r.reason), \
            updated_at = \(r.updatedAt), finished_at = \(r.finishedAt) WHERE id = \(r.id) AND state = \(state.rawValue)
            """) > 0
    }

    func updateRolloutTenant(_ tenant: RolloutTenant, expecting states: Set<RolloutTenantState>) async throws -> Bool {
        let t = tenant
        return try await run(
            """
            UPDATE rollout_tenants SET state = \(t.state.rawValue), from_image = \(t.from), error = \(t.error), \
            updated_at = \(t.updatedAt) WHERE rollout_id = \(t.rolloutID) AND tenant_id = \(t.tenantID) \
            AND state IN \(RolloutRows.states(states))
            """) > 0
    }

    func upsertRolloutNode(_ node: RolloutNode) async throws {
        try await run(
            """
            INSERT INTO rollout_nodes (rollout_id, node_id, pinned, error, prepared_at) VALUES (\(node.rolloutID), \
            \(node.nodeID), \(node.pinned), \(node.error), \(node.preparedAt)) ON CONFLICT (rollout_id, node_id) \
            DO UPDATE SET pinned = excluded.pinned, error = excluded.error, prepared_at = excluded.prepared_at
            """)
    }

    func setAgentRelease(_ image: String) async throws {
        try await run(
            """
            INSERT INTO platform_meta (key, value) VALUES ('agent_release', \(image)) \
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)
    }
}
