import ZCCore

extension SQLSession {
    static var tenantColumns: String {
        """
        t.id, t.name, t.plan, t.status, t.error_message, t.node_id, t.host_port, t.uid, t.container_id, \
        t.created_at, t.updated_at, t.started_at, t.placement_epoch, t.moving_to, t.image, t.image_pinned
        """
    }

    func tenant(_ id: TenantID) async throws -> Tenant? {
        try await firstRow("SELECT \(raw: Self.tenantColumns) FROM tenants t WHERE t.id = \(id)")
            .map(Tenant.init(row:))
    }

    func tenant(_ id: TenantID, roleOfUser userID: Int64) async throws -> (tenant: Tenant, role: TenantRole?)? {
        let query: SQLQuery = """
            SELECT \(raw: Self.tenantColumns), m.role FROM tenants t LEFT JOIN memberships m \
            ON m.tenant_key = t.tenant_key AND m.user_id = \(userID) WHERE t.id = \(id)
            """
        guard let row = try await firstRow(query) else { return nil }
        var role: TenantRole?
        if let text = try row.optionalString("role") {
            guard let parsed = TenantRole(rawValue: text) else {
                throw StoreError(.other, "column 'role' holds an unknown role")
            }
            role = parsed
        }
        return (try Tenant(row: row), role)
    }

    func tenants(_ filter: TenantFilter) async throws -> [Tenant] {
        var query: SQLQuery = "SELECT \(raw: Self.tenantColumns) FROM tenants t"
        if let userID = filter.memberUserID {
            query += " JOIN memberships m ON m.tenant_key = t.tenant_key AND m.user_id = \(userID)"
        }
        query += " WHERE 1 = 1"
        if let status = filter.status { query += " AND t.status = \(status.rawValue)" }
        if let nodeID = filter.nodeID { query += " AND t.node_id = \(nodeID)" }
        if let after = filter.after { query += " AND t.id > \(after)" }
        query += " ORDER BY t.id LIMIT \(Int64(min(filter.limit, Int(Int64.max))))"
        return try await rows(query).map(Tenant.init(row:))
    }

    func tenantCountsByStatus() async throws -> [TenantStatus: Int] {
        var counts: [TenantStatus: Int] = [:]
        for row in try await rows("SELECT status, COUNT(*) AS n FROM tenants GROUP BY status") {
            guard let status = TenantStatus(rawValue: try row.string("status")) else { continue }
            counts[status] = try row.int("n")
        }
        return counts
    }
}

extension SQLWriteSession {
    @discardableResult
    func lockTenant(_ id: TenantID) async throws -> Bool {
        try await firstRow("SELECT tenant_key FROM tenants WHERE id = \(id)\(raw: dialect.forUpdate)") != nil
    }

    func insertTenant(_ tenant: Tenant) async throws {
        try await run(
            """
            INSERT INTO tenants (id, name, plan, status, error_message, node_id, host_port, uid, container_id, \
            created_at, updated_at, started_at, image, image_pinned) VALUES (\(tenant.id), \(tenant.name), \
            \(tenant.plan), \(tenant.status.rawValue), \(tenant.errorMessage), \(tenant.nodeID), \(tenant.hostPort), \
            \(tenant.uid), \(tenant.containerID), \(tenant.createdAt), \(tenant.updatedAt), \(tenant.startedAt), \
            \(tenant.image), \(tenant.imagePinned ? 1 : 0))
            """)
    }

    func updateTenant(_ tenant: Tenant) async throws {
        let changed = try await run(
            """
            UPDATE tenants SET name = \(tenant.name), plan = \(tenant.plan), status = \(tenant.status.rawValue), \
            error_message = \(tenant.errorMessage), node_id = \(tenant.nodeID), host_port = \(tenant.hostPort), \
            uid = \(tenant.uid), container_id = \(tenant.containerID), updated_at = \(tenant.updatedAt), \
            started_at = \(tenant.startedAt), moving_to = \(tenant.movingTo), image = \(tenant.image), \
            image_pinned = \(tenant.imagePinned ? 1 : 0), placement_epoch = placement_epoch + CASE \
            WHEN COALESCE(node_id, '') = COALESCE(\(tenant.nodeID), '') THEN 0 ELSE 1 END \
            WHERE id = \(tenant.id) AND placement_epoch = \(tenant.placementEpoch)
            """)
        guard changed == 0 else { return }
        guard let row = try await firstRow("SELECT node_id, placement_epoch FROM tenants WHERE id = \(tenant.id)")
        else {
            throw StoreError(.notFound, "tenant '\(tenant.id)' not found")
        }
        throw StoreError(
            .placementChanged,
            "tenant '\(tenant.id)' was placed on node \(try row.optionalString("node_id") ?? "none") (placement \(try row.int64("placement_epoch"))) since it was read (placement \(tenant.placementEpoch))"
        )
    }

    func deleteTenant(_ id: TenantID) async throws -> Bool {
        try await run("DELETE FROM tenants WHERE id = \(id)") > 0
    }
}

extension Tenant {
    init(row: SQLRow) throws {
        let statusText = try row.string("status")
        guard let status = TenantStatus(rawValue: statusText) else {
            throw StoreError(.other, "column 'status' holds an unknown tenant status")
        }
        self.init(
            id: TenantID(trusted: try row.string("id")), name: try row.string("name"), plan: try row.string("plan"),
            status: status, errorMessage: try row.optionalString("error_message"),
            nodeID: try row.optionalString("node_id"), hostPort: try row.optionalInt("host_port"),
            uid: try row.optionalInt("uid"), containerID: try row.optionalString("container_id"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"),
            startedAt: try row.optionalTimestamp("started_at"), placementEpoch: try row.int64("placement_epoch"),
            movingTo: try row.optionalString("moving_to"), image: try row.optionalString("image"),
            imagePinned: try row.bool("image_pinned"))
    }
}
