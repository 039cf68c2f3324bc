import ZCCore

extension SQLSession {
    func fleet(_ query: FleetQuery) async throws -> [FleetEntry] {
        var sql: SQLQuery = """
            SELECT \(raw: Self.tenantColumns), CASE WHEN n.state = 'down' THEN 1 ELSE 0 END AS node_down
            """
        if query.roleOfUserID != nil { sql += ", m.role" }
        if query.snapshots { sql += ", \(raw: Self.snapshotColumns)" }
        if query.usage != nil {
            sql += """
                , SUM(u.messages) AS messages, SUM(u.tokens_in) AS tokens_in, SUM(u.tokens_out) AS tokens_out, \
                MAX(u.hour) AS last_hour
                """
        }
        sql += " FROM tenants t LEFT JOIN nodes n ON n.id = t.node_id"
        if let userID = query.roleOfUserID {
            let join = query.memberUserID != nil ? "JOIN" : "LEFT JOIN"
            sql += " \(raw: join) memberships m ON m.tenant_key = t.tenant_key AND m.user_id = \(userID)"
        }
        if query.snapshots {
            // The newest snapshot of each tenant: the last key of its range of (tenant_key, collected_at),
            // then that row (ORDER BY … LIMIT 1 measured a third faster than MAX() on SQLite).
            sql += """
                 LEFT JOIN resource_snapshots s ON s.tenant_key = t.tenant_key AND s.collected_at = \
                (SELECT x.collected_at FROM resource_snapshots x WHERE x.tenant_key = t.tenant_key \
                ORDER BY x.collected_at DESC LIMIT 1)
                """
        }
        if let usage = query.usage {
            // Each tenant's hours in the period, by its primary key (tenant_key, hour): a range per tenant,
            // never a scan of the whole table however long usage is kept; summed by the GROUP BY below.
            sql += """
                 LEFT JOIN usage_metrics u ON u.tenant_key = t.tenant_key \
                AND u.hour >= \(usage.lowerBound) AND u.hour <= \(usage.upperBound)
                """
        }
        sql += " WHERE 1 = 1"
        if !query.includeDeleted { sql += " AND t.status <> 'deleted'" }
        switch query.status {
        case nil: break
        case .unreachable: sql += " AND n.state = 'down'"
        case .tenant(let status):
            sql += " AND t.status = \(status.rawValue) AND (n.state IS NULL OR n.state <> 'down')"
        }
        if query.usage != nil {
            // One group per tenant. Every other column is one row's: the tenant's (its key), its node's
            // state, its membership's role, its one snapshot's (that table's key), as PostgreSQL requires.
            sql += " GROUP BY t.tenant_key, n.state"
            if query.roleOfUserID != nil { sql += ", m.role" }
            if query.snapshots { sql += ", s.tenant_key, s.collected_at" }
        }
        sql += " ORDER BY t.id"
        return try await rows(sql).map { row in
            let tenant = try Tenant(row: row)
            var entry = FleetEntry(tenant: tenant, nodeDown: try row.int("node_down") == 1)
            if query.roleOfUserID != nil, let role = try row.optionalString("role") {
                guard let parsed = TenantRole(rawValue: role) else {
                    throw StoreError(.other, "column 'role' holds an unknown role")
                }
                entry.role = parsed
            }
            if query.snapshots, !(try row.isNull("collected_at")) {
                entry.snapshot = try ResourceSnapshot(row: row, tenantID: tenant.id)
            }
            if query.usage != nil, !(try row.isNull("messages")) {
                entry.usage = UsageTotal(
                    tenantID: tenant.id, messages: try row.int64("messages"), tokensIn: try row.int64("tokens_in"),
                    tokensOut: try row.int64("tokens_out"),
                    lastHour: try row.optionalInt64("last_hour").map { Timestamp(seconds: $0) })
            }
            return entry
        }
    }

    func nodes() async throws -> [Node] {
        try await rows("SELECT \(raw: NodeRows.columns) FROM nodes ORDER BY id").map(NodeRows.node)
    }

    func placedTenants(nodeID: String?) async throws -> [PlacedTenants] {
        // A tenant moving counts on the node it is moving to.
        var query: SQLQuery = """
            SELECT COALESCE(moving_to, node_id) AS node, plan, COUNT(*) AS n FROM tenants \
            WHERE node_id IS NOT NULL AND status <> 'deleted'
            """
        if let nodeID { query += " AND COALESCE(moving_to, node_id) = \(nodeID)" }
        query += " GROUP BY COALESCE(moving_to, node_id), plan ORDER BY 1, plan"
        return try await rows(query).map {
            PlacedTenants(node: try $0.string("node"), plan: try $0.string("plan"), count: try $0.int("n"))
        }
    }

    func lease(_ name: String) async throws -> Lease? {
        try await firstRow("SELECT \(raw: LeaseRows.columns) FROM leases WHERE name = \(name)").map(LeaseRows.lease)
    }

    func instanceID() async throws -> String {
        guard let row = try await firstRow("SELECT value FROM platform_meta WHERE key = 'instance_id'") else {
            throw StoreError(.notFound, "the database has no instance id (is it migrated?)")
        }
        return try row.string("value")
    }

    func appliedSchemaVersion() async throws -> Int {
        try await firstRow("SELECT MAX(version) AS version FROM schema_migrations")?.optionalInt("version") ?? 0
    }

    func rowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in SQLTables.all {
            counts[table] = try await firstRow("SELECT COUNT(*) AS n FROM \(raw: table)")?.int("n") ?? 0
        }
        return counts
    }
}

extension SQLWriteSession {
    func upsertNode(_ node: Node) async throws {
        try await run(
            """
            INSERT INTO nodes (\(raw: NodeRows.columns)) VALUES (\(node.id), \(node.address), \(node.version), \
            \(node.startedAt), \(node.lastHeartbeat), \(node.expiresAt), \(node.state.rawValue), \
            \(node.memoryCapacity), \(node.memoryReserved), \(node.vaultKey), \(node.addressCheck?.checkedAt), \
            \(node.addressCheck?.error)) ON CONFLICT (id) DO UPDATE SET \
            address_checked_at = excluded.address_checked_at, address_error = excluded.address_error, \
            address = excluded.address, version = excluded.version, started_at = excluded.started_at, \
            last_heartbeat = excluded.last_heartbeat, expires_at = excluded.expires_at, state = excluded.state, \
            memory_capacity = excluded.memory_capacity, memory_reserved = excluded.memory_reserved, \
            vault_key = excluded.vault_key
            """)
    }

    /// Records a heartbeat by the database's clock: `last_heartbeat` is its now, `expires_at` that plus
    /// `ttlSeconds`. A draining node stays draining; any other (a node back from down) is active again.
    func heartbeat(_ node: Node, ttlSeconds: Int64) async throws -> Node {
        let now = dialect.currentSeconds
        guard
            let row = try await firstRow(
                """
                INSERT INTO nodes (\(raw: NodeRows.columns)) VALUES (\(node.id), \(node.address), \(node.version), \
                \(node.startedAt), \(raw: now), \(raw: now) + \(ttlSeconds), 'active', \(node.memoryCapacity), \
                \(node.memoryReserved), \(node.vaultKey), \(node.addressCheck?.checkedAt), \
                \(node.addressCheck?.error)) ON CONFLICT (id) DO UPDATE SET \
                address_checked_at = excluded.address_checked_at, address_error = excluded.address_error, \
                address = excluded.address, vault_key = excluded.vault_key, \
                version = excluded.version, started_at = excluded.started_at, \
                last_heartbeat = excluded.last_heartbeat, expires_at = excluded.expires_at, \
                state = CASE WHEN nodes.state = 'draining' THEN 'draining' ELSE 'active' END, \
                memory_capacity = excluded.memory_capacity, memory_reserved = excluded.memory_reserved \
                RETURNING \(raw: NodeRows.columns)
                """)
        else {
            throw StoreError(.other, "the heartbeat of node \(node.id) returned no row")
        }
        return try NodeRows.node(row)
    }

    func acquireLease(_ name: String, holder: String, ttlSeconds: Int64) async throws -> Lease? {
        let now = dialect.currentSeconds
        return try await firstRow(
            """
            INSERT INTO leases (\(raw: LeaseRows.columns)) VALUES (\(name), \(holder), 1, \(raw: now), \(raw: now), \
            \(raw: now) + \(ttlSeconds)) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
            term = CASE WHEN leases.holder = excluded.holder THEN leases.term ELSE leases.term + 1 END, \
            acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at \
            ELSE excluded.acquired_at END, renewed_at = excluded.renewed_at, expires_at = excluded.expires_at \
            WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.renewed_at \
            RETURNING \(raw: LeaseRows.columns)
            """
        ).map(LeaseRows.lease)
    }

    func lockNode(_ id: String) async throws -> Node? {
        try await firstRow("SELECT \(raw: NodeRows.columns) FROM nodes WHERE id = \(id)\(raw: dialect.forUpdate)")
            .map(NodeRows.node)
    }

    func signal(_ channel: String, payload: String) async throws {
        guard let notify = dialect.notify else { return }
        _ = try await rows(notify(channel, payload))
    }

    func setNodeState(_ id: String, to state: Node.State) async throws -> Node? {
        try await firstRow(
            "UPDATE nodes SET state = \(state.rawValue) WHERE id = \(id) RETURNING \(raw: NodeRows.columns)"
        ).map(NodeRows.node)
    }

    func abandonMovesFromDownNodes() async throws -> [TenantID] {
        try await rows(
            """
            UPDATE tenants SET moving_to = NULL WHERE moving_to IS NOT NULL \
            AND node_id IN (SELECT id FROM nodes WHERE state = 'down') RETURNING id
            """
        ).map { TenantID(trusted: try $0.string("id")) }.sorted { $0.rawValue < $1.rawValue }
    }

    func releaseLease(_ name: String, holder: String) async throws {
        try await run(
            "UPDATE leases SET expires_at = 0 WHERE name = \(name) AND holder = \(holder)")
    }

    /// Marks down, by the database's clock, every node whose heartbeat expired more than `graceSeconds`
    /// ago; the ids of the nodes this call marked (each is marked by one caller only).
    func markNodesDown(graceSeconds: Int64) async throws -> [String] {
        let now = dialect.currentSeconds
        return try await rows(
            """
            UPDATE nodes SET state = 'down' WHERE state <> 'down' AND expires_at + \(graceSeconds) < \(raw: now) \
            RETURNING id
            """
        ).map { try $0.string("id") }.sorted()
    }
}

/// The platform's tables, parents before children (the order to copy them in).
public enum SQLTables {
    public static var all: [String] { SQLTable.all.map(\.name) }
}

/// How a `leases` row reads.
enum LeaseRows {
    static let columns = "name, holder, term, acquired_at, renewed_at, expires_at"

    static func lease(_ row: SQLRow) throws -> Lease {
        Lease(
            name: try row.string("name"), holder: try row.string("holder"), term: try row.int64("term"),
            acquiredAt: try row.timestamp("acquired_at"), renewedAt: try row.timestamp("renewed_at"),
            expiresAt: try row.timestamp("expires_at"))
    }
}

/// How a `nodes` row reads.
enum NodeRows {
    static let columns =
        "id, address, version, started_at, last_heartbeat, expires_at, state, memory_capacity, memory_reserved, "
        + "vault_key, address_checked_at, address_error"

    static func node(_ row: SQLRow) throws -> Node {
        let state = try row.string("state")
        guard let parsed = Node.State(rawValue: state) else {
            throw StoreError(.other, "node \(try row.string("id")) has the unknown state \(state)")
        }
        return Node(
            id: try row.string("id"), address: try row.string("address"), version: try row.string("version"),
            startedAt: try row.timestamp("started_at"), lastHeartbeat: try row.timestamp("last_heartbeat"),
            expiresAt: try row.timestamp("expires_at"), state: parsed, memoryCapacity: try row.int64("memory_capacity"),
            memoryReserved: try row.int64("memory_reserved"), vaultKey: try row.string("vault_key"),
            addressCheck: try row.optionalTimestamp("address_checked_at").map {
                Node.AddressCheck(checkedAt: $0, error: try row.optionalString("address_error"))
            })
    }
}
