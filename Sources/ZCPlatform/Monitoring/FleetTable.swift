import ZCCore

/// The console's fleet table: one row per tenant the caller may see, with what the collectors last
/// measured, today's usage and the last health probe. Read in one pass over the store, whatever the
/// number of tenants.
public struct FleetTable: Sendable {
    public struct Row: Sendable {
        public let tenant: Tenant
        /// `unreachable` when the tenant's node is down, its own status otherwise.
        public let status: String
        /// The newest resource snapshot, however old.
        public let snapshot: ResourceSnapshot?
        /// Usage since midnight UTC.
        public let usage: UsageTotal?
        /// The health checker's last probe on this node; nil before the first, or for other nodes' tenants.
        public let probe: HealthBoard.TenantHealth?
        /// Set while the usage collector finds nothing to meter in the agent's `/metrics`.
        public let unmetered: HealthBoard.Unmetered?
        /// The caller's role in the tenant; nil for a super-admin who is not a member.
        public let role: TenantRole?
    }

    public let rows: [Row]
    /// The start of the day `usage` counts from.
    public let day: Timestamp
    /// Whether the caller is a super-admin (every tenant, every action its status allows).
    public let isSuperAdmin: Bool

    /// The table for `caller`: every tenant for a super-admin, its own for anyone else; deleted tenants
    /// aside.
    public static func read(
        for caller: Caller, store: any Store, health: HealthBoard, now: Timestamp = .now()
    ) async throws -> FleetTable {
        let day = Timestamp(seconds: now.seconds - now.seconds % 86_400)
        var filter = TenantFilter.all
        if !caller.isSuperAdmin { filter.memberUserID = caller.user?.id ?? -1 }
        let query = filter
        let memberID = caller.user?.id
        let (tenants, snapshots, usage, nodes, roles) = try await store.read { reader in
            var roles: [(tenant: TenantID, role: TenantRole)] = []
            if let memberID { roles = try await reader.roles(ofUser: memberID) }
            return (
                try await reader.tenants(query), try await reader.latestSnapshots(),
                try await reader.usageTotals(from: day, to: now.startOfHour), try await reader.nodes(), roles
            )
        }
        let roleOf = Dictionary(roles.map { ($0.tenant, $0.role) }, uniquingKeysWith: { first, _ in first })
        let down = Set(nodes.filter { $0.state == .down }.map(\.id))
        let snapshotOf = Dictionary(snapshots.map { ($0.tenantID, $0) }, uniquingKeysWith: { first, _ in first })
        let usageOf = Dictionary(usage.map { ($0.tenantID, $0) }, uniquingKeysWith: { first, _ in first })
        let probes = health.all
        let unmetered = health.allUnmetered
        let rows = tenants.filter { $0.status != .deleted }.map { tenant in
            Row(
                tenant: tenant,
                status: tenant.nodeID.map(down.contains) == true ? "unreachable" : tenant.status.rawValue,
                snapshot: snapshotOf[tenant.id], usage: usageOf[tenant.id], probe: probes[tenant.id],
                unmetered: unmetered[tenant.id], role: roleOf[tenant.id])
        }
        return FleetTable(rows: rows, day: day, isSuperAdmin: caller.isSuperAdmin)
    }
}
