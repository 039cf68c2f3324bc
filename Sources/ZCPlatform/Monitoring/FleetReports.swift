import ZCCore

/// What a super-admin sees of the whole fleet: the dashboard's counts, current resources, usage over a
/// period, every tenant's health, the audit log. Read-only; the API and the console render it.
public struct FleetReports: Sendable {
    let store: any Store
    let health: HealthBoard
    let runtime: any ContainerRuntime
    /// The resource collector's interval: a snapshot older than three of them is not current.
    let resourceInterval: Int64

    public struct Dashboard: Sendable {
        /// Every status but `deleted`, zero when none.
        public let tenantsByStatus: [TenantStatus: Int]
        /// Tenants on nodes that are down (not counted under their status).
        public let unreachableTenants: Int
        public let totalTenants: Int
        public let users: Int
        public let channels: Int
        public let runtimeDriver: String
        public let runtimeIsolated: Bool
        /// Set while the runtime cannot be reached.
        public let runtimeOutage: HealthBoard.RuntimeOutage?
        public let unhealthyTenants: Int
    }

    public struct Resources: Sendable {
        /// Sums over the snapshots of the last three collection cycles.
        public let current: Totals
        /// Each tenant's latest snapshot, however old.
        public let latest: [ResourceSnapshot]

        public struct Totals: Sendable {
            public let tenants: Int
            public let cpuPct: Double
            public let memBytes: Int64
            public let memLimit: Int64
            public let diskBytes: Int64
            public let pids: Int64
        }
    }

    public struct Usage: Sendable {
        public let from: Timestamp
        public let to: Timestamp
        public let messages: Int64
        public let tokensIn: Int64
        public let tokensOut: Int64
        public let tenants: [UsageTotal]
    }

    public struct TenantHealth: Sendable {
        public let tenant: Tenant
        /// The health checker's last probe on this node; nil before the first, or for other nodes' tenants.
        public let probe: HealthBoard.TenantHealth?
        /// Its node is down: nothing is known of its agent until the node returns.
        public let unreachable: Bool
        /// Set while the usage collector finds nothing to meter in the agent's `/metrics`.
        public let unmetered: HealthBoard.Unmetered?
    }

    public init(store: any Store, health: HealthBoard, runtime: any ContainerRuntime, resourceInterval: Int64) {
        self.store = store
        self.health = health
        self.runtime = runtime
        self.resourceInterval = resourceInterval
    }

    public func dashboard() async throws -> Dashboard {
        let (counts, rows, unreachable) = try await store.read { reader in
            var unreachable: [Tenant] = []
            for node in try await reader.nodes() where node.state == .down {
                unreachable += try await reader.tenants(TenantFilter(nodeID: node.id, limit: Int.max))
            }
            return (try await reader.tenantCountsByStatus(), try await reader.rowCounts(), unreachable)
        }
        var byStatus: [TenantStatus: Int] = [:]
        for status in TenantStatus.allCases where status != .deleted { byStatus[status] = counts[status] ?? 0 }
        for tenant in unreachable where tenant.status != .deleted { byStatus[tenant.status, default: 0] -= 1 }
        return Dashboard(
            tenantsByStatus: byStatus, unreachableTenants: unreachable.filter { $0.status != .deleted }.count,
            totalTenants: counts.values.reduce(0, +), users: rows["users"] ?? 0,
            channels: rows["channels"] ?? 0, runtimeDriver: runtime.driver, runtimeIsolated: runtime.isolated,
            runtimeOutage: health.runtimeOutage, unhealthyTenants: health.all.values.filter { !$0.healthy }.count)
    }

    public func resources(now: Timestamp = .now()) async throws -> Resources {
        let latest = try await store.read { try await $0.latestSnapshots() }
        let fresh = now.adding(seconds: -3 * resourceInterval)
        let current = latest.filter { $0.collectedAt >= fresh }
        return Resources(
            current: Resources.Totals(
                tenants: current.count, cpuPct: (current.reduce(0) { $0 + $1.cpuPct } * 100).rounded() / 100,
                memBytes: current.reduce(0) { $0 + $1.memBytes }, memLimit: current.reduce(0) { $0 + $1.memLimit },
                diskBytes: current.reduce(0) { $0 + $1.diskBytes }, pids: current.reduce(0) { $0 + $1.pids }),
            latest: latest)
    }

    public func usage(from: Timestamp, to: Timestamp) async throws -> Usage {
        let totals = try await store.read { try await $0.usageTotals(from: from, to: to) }
        return Usage(
            from: from, to: to, messages: totals.reduce(0) { $0 + $1.messages },
            tokensIn: totals.reduce(0) { $0 + $1.tokensIn }, tokensOut: totals.reduce(0) { $0 + $1.tokensOut },
            tenants: totals)
    }

    /// Every tenant's health (deleted ones too, while the store keeps them), or only those the fleet shows
    /// with `status`: one statement.
    public func tenantHealth(status: FleetStatus? = nil) async throws -> [TenantHealth] {
        let query = FleetQuery(status: status, includeDeleted: true)
        let entries = try await store.read { try await $0.fleet(query) }
        let probes = health.all
        let unmetered = health.allUnmetered
        return entries.map {
            TenantHealth(
                tenant: $0.tenant, probe: probes[$0.tenant.id], unreachable: $0.nodeDown,
                unmetered: unmetered[$0.tenant.id])
        }
    }

    public struct ClusterNodes: Sendable {
        public struct Entry: Sendable {
            public let node: Node
            /// Tenants placed on the node (deleted ones aside).
            public let tenants: Int
        }

        public let nodes: [Entry]
        /// The leader's lease while it runs; nil when no node holds one.
        public let leader: Lease?
    }

    /// The cluster's nodes with their tenants, and who leads.
    public func clusterNodes(now: Timestamp = .now()) async throws -> ClusterNodes {
        try await Self.clusterNodes(in: store, now: now)
    }

    /// The same, from a store alone (`zcplatform cluster status`).
    public static func clusterNodes(in store: any Store, now: Timestamp = .now()) async throws -> ClusterNodes {
        let (nodes, counts, lease) = try await store.read { reader in
            (
                try await reader.nodes(), try await reader.placedTenants(nodeID: nil),
                try await reader.lease(LeaderElection.leaseName)
            )
        }
        let placed = counts.reduce(into: [String: Int]()) { $0[$1.node, default: 0] += $1.count }
        return ClusterNodes(
            nodes: nodes.map { ClusterNodes.Entry(node: $0, tenants: placed[$0.id] ?? 0) },
            leader: lease.flatMap { $0.expiresAt > now ? $0 : nil })
    }

    /// Where a load balancer sends each running tenant's traffic.
    public struct IngressRoute: Sendable, Hashable {
        public let tenant: TenantID
        public let node: String
        /// The owner's API, `host:port`.
        public let api: String
        /// The agent's gateway, `{node host}:{host port}`.
        public let gateway: String
    }

    /// The running tenants on nodes that are not down, in tenant order, with their owner's API and their
    /// agent's gateway.
    public func ingressRoutes() async throws -> [IngressRoute] {
        let (nodes, tenants) = try await store.read { reader in
            (try await reader.nodes(), try await reader.tenants(TenantFilter(status: .running, limit: Int.max)))
        }
        let byID = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return tenants.compactMap { tenant in
            guard let owner = tenant.nodeID, let node = byID[owner], node.state != .down, let port = tenant.hostPort,
                let colon = node.address.lastIndex(of: ":")
            else { return nil }
            return IngressRoute(
                tenant: tenant.id, node: owner, api: node.address, gateway: "\(node.address[..<colon]):\(port)")
        }
    }

    /// The cluster's alerts firing now (`NodeDown`, `BackupFailed`), as the leader last stored them: any
    /// node shows them.
    public func clusterAlerts() async throws -> [Alert] {
        try await store.read { try await $0.alertStates(nodeID: "cluster") }.filter(\.firing).map(\.alert)
    }

    /// The fleet table `caller` may see (the console's fleet page).
    public func table(for caller: Caller, now: Timestamp = .now()) async throws -> FleetTable {
        try await FleetTable.read(for: caller, store: store, health: health, now: now)
    }

    public func audit(_ query: AuditQuery) async throws -> AuditPage {
        try await store.read { try await $0.auditEvents(query) }
    }
}
