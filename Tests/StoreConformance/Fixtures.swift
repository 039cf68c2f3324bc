import ZCCore

/// Values the cases build on. Times are fixed so results never depend on the clock.
enum Fixtures {
    static let now = Timestamp(seconds: 1_790_000_000)

    static func id(_ text: String) -> TenantID {
        TenantID(trusted: text)
    }

    static func tenant(_ id: String, status: TenantStatus = .draft, node: String? = nil, port: Int? = nil) -> Tenant {
        Tenant(
            id: TenantID(trusted: id), name: "Tenant \(id)", plan: "default", status: status, nodeID: node,
            hostPort: port, createdAt: now)
    }

    static func user(_ email: String, admin: Bool = false) throws -> NewUser {
        try NewUser(email: email, isSuperAdmin: admin, createdAt: now)
    }

    static func snapshot(_ tenant: String, at seconds: Int64, cpu: Double = 1.5) -> ResourceSnapshot {
        ResourceSnapshot(
            tenantID: id(tenant), collectedAt: Timestamp(seconds: seconds), cpuPct: cpu, memBytes: 7_000_000,
            memLimit: 268_435_456, diskBytes: 50_000_000, netIn: 1_000 + seconds, netOut: 2_000 + seconds, pids: 9)
    }

    @discardableResult
    static func insertTenants(_ store: any Store, _ ids: [String]) async throws -> [Tenant] {
        let tenants = ids.map { tenant($0) }
        try await store.withTransaction { transaction in
            for tenant in tenants { try await transaction.insertTenant(tenant) }
        }
        return tenants
    }
}
