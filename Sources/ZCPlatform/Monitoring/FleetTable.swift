import ZCCore

/// The console's fleet table: one row per tenant the caller may see, with what the collectors last
/// measured, today's usage and the last health probe. Read in one statement (`StoreReader.fleet`),
/// whatever the number of tenants.
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
        let query = FleetQuery(
            memberUserID: caller.isSuperAdmin ? nil : caller.user?.id ?? -1, roleOfUserID: caller.user?.id,
            snapshots: true, usage: day...now.startOfHour)
        let entries = try await store.read { try await $0.fleet(query) }
        let probes = health.all
        let unmetered = health.allUnmetered
        let rows = entries.map { entry in
            Row(
                tenant: entry.tenant, status: entry.status.rawValue, snapshot: entry.snapshot, usage: entry.usage,
                probe: probes[entry.tenant.id], unmetered: unmetered[entry.tenant.id], role: entry.role)
        }
        return FleetTable(rows: rows, day: day, isSuperAdmin: caller.isSuperAdmin)
    }
}
