import ZCCore
import ZCHTTP

/// `/api/monitoring` (super-admin): the audit log, the fleet dashboard, fleet health, resources and usage.
struct MonitoringController: Sendable {
    struct HealthView: Encodable {
        let tenantId: String
        let name: String
        let status: String
        let uptime: Int64?
        let errorMessage: String?
        let node: String?
        /// The health checker's last probe on this node; null before the first, or for other nodes' tenants.
        let health: ProbeView?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tenantId, forKey: .tenantId)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encode(uptime, forKey: .uptime)
            try container.encode(errorMessage, forKey: .errorMessage)
            try container.encode(node, forKey: .node)
            try container.encode(health, forKey: .health)
        }

        enum CodingKeys: String, CodingKey {
            case tenantId, name, status, uptime, errorMessage, node, health
        }
    }

    struct ProbeView: Encodable {
        let checkedAt: Timestamp
        let healthy: Bool
        let consecutiveFailures: Int
        let lastError: String?
        let restartedAt: Timestamp?

        init(_ health: HealthBoard.TenantHealth) {
            checkedAt = health.checkedAt
            healthy = health.healthy
            consecutiveFailures = health.consecutiveFailures
            lastError = health.lastError
            restartedAt = health.restartedAt
        }
    }

    struct DashboardView: Encodable {
        let tenants: [String: Int]
        let totalTenants: Int
        let users: Int
        let channels: Int
        let runtime: RuntimeView
        let unhealthyTenants: Int
    }

    struct RuntimeView: Encodable {
        let driver: String
        let isolated: Bool
        let reachable: Bool
        let outageSince: Timestamp?
        let outageReason: String?
    }

    struct FleetResourcesView: Encodable {
        /// Sums over the tenants sampled in the last three collection cycles.
        let totals: Totals
        let tenants: [SnapshotView]

        struct Totals: Encodable {
            let tenants: Int
            let cpuPct: Double
            let memBytes: Int64
            let memLimit: Int64
            let diskBytes: Int64
            let pids: Int64
        }
    }

    struct AlertView: Encodable {
        let alertname: String
        let severity: String
        let labels: [String: String]
        let summary: String
        let description: String
        let activeSince: Timestamp

        init(_ alert: Alert) {
            alertname = alert.name
            severity = alert.severity.rawValue
            labels = alert.labels
            summary = alert.summary
            description = alert.description
            activeSince = alert.activeSince
        }
    }

    struct FleetUsageView: Encodable {
        let from: Timestamp
        let to: Timestamp
        let totals: UsageTotalsView
        let tenants: [TenantUsageView]
    }

    let store: any Store
    let authorizer: Authorizer
    let health: HealthBoard
    let alerts: AlertEvaluator?
    let runtime: any ContainerRuntime
    let resourceInterval: Int64

    func register(in router: inout Router) {
        router.get("/api/monitoring/alerts", firingAlerts)
        router.get("/api/monitoring/audit", audit)
        router.get("/api/monitoring/dashboard", dashboard)
        router.get("/api/monitoring/resources", resources)
        router.get("/api/monitoring/usage", usage)
        router.get("/api/monitoring/health", fleetHealth)
    }

    @Sendable func firingAlerts(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        return JSONBody.response((alerts?.firing ?? []).map(AlertView.init))
    }

    @Sendable func audit(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readAudit, context)
        func time(_ name: String) throws -> Timestamp? {
            try request.queryParameter(name).map { text in
                if let seconds = Int64(text) { return Timestamp(seconds: seconds) }
                guard let parsed = Timestamp(iso8601: text) else {
                    throw HTTPError(.badRequest, "\(name) must be RFC 3339 (2026-01-31T12:00:00Z) or Unix seconds")
                }
                return parsed
            }
        }
        let limit = Int(request.queryParameter("limit") ?? "100") ?? -1
        guard (1...1000).contains(limit) else { throw HTTPError(.badRequest, "limit must be from 1 to 1000") }
        let cursor = try request.queryParameter("cursor").map { text -> Int64 in
            guard let value = Int64(text) else { throw HTTPError(.badRequest, "cursor must be a number") }
            return value
        }
        func text(_ name: String) throws -> String? {
            let value = request.queryParameter(name)
            if value?.utf8.contains(0) == true { throw HTTPError(.badRequest, "\(name) must not contain NUL") }
            return value
        }
        let query = AuditQuery(
            actor: try text("actor"), tenantID: try text("tenant"), action: try text("action"),
            since: try time("since"), until: try time("until"),
            limit: limit,
            cursor: cursor)
        let page = try await store.read { try await $0.auditEvents(query) }
        return JSONBody.response(
            AuditPageView(events: page.events.map(AuditEventView.init), nextCursor: page.nextCursor))
    }

    @Sendable func dashboard(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let (counts, rows) = try await store.read { reader in
            (try await reader.tenantCountsByStatus(), try await reader.rowCounts())
        }
        var byStatus: [String: Int] = [:]
        for status in TenantStatus.allCases where status != .deleted {
            byStatus[status.rawValue] = counts[status] ?? 0
        }
        let outage = health.runtimeOutage
        return JSONBody.response(
            DashboardView(
                tenants: byStatus, totalTenants: counts.values.reduce(0, +), users: rows["users"] ?? 0,
                channels: rows["channels"] ?? 0,
                runtime: RuntimeView(
                    driver: runtime.driver, isolated: runtime.isolated, reachable: outage == nil,
                    outageSince: outage?.since, outageReason: outage?.reason),
                unhealthyTenants: health.all.values.filter { !$0.healthy }.count))
    }

    @Sendable func resources(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let latest = try await store.read { try await $0.latestSnapshots() }
        let fresh = Timestamp.now().adding(seconds: -3 * resourceInterval)
        let current = latest.filter { $0.collectedAt >= fresh }
        return JSONBody.response(
            FleetResourcesView(
                totals: FleetResourcesView.Totals(
                    tenants: current.count,
                    cpuPct: (current.reduce(0) { $0 + $1.cpuPct } * 100).rounded() / 100,
                    memBytes: current.reduce(0) { $0 + $1.memBytes },
                    memLimit: current.reduce(0) { $0 + $1.memLimit },
                    diskBytes: current.reduce(0) { $0 + $1.diskBytes }, pids: current.reduce(0) { $0 + $1.pids }),
                tenants: latest.map(SnapshotView.init)))
    }

    @Sendable func usage(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let (from, to) = try ResourceController.usagePeriod(request)
        let totals = try await store.read { try await $0.usageTotals(from: from, to: to) }
        return JSONBody.response(
            FleetUsageView(
                from: from, to: to,
                totals: UsageTotalsView(
                    messages: totals.reduce(0) { $0 + $1.messages },
                    tokensIn: totals.reduce(0) { $0 + $1.tokensIn },
                    tokensOut: totals.reduce(0) { $0 + $1.tokensOut }),
                tenants: totals.map {
                    TenantUsageView(
                        tenantId: $0.tenantID.rawValue, messages: $0.messages, tokensIn: $0.tokensIn,
                        tokensOut: $0.tokensOut)
                }))
    }

    @Sendable func fleetHealth(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let now = Timestamp.now()
        let tenants = try await store.read { try await $0.tenants(.all) }
        let probes = health.all
        return JSONBody.response(
            tenants.map {
                HealthView(
                    tenantId: $0.id.rawValue, name: $0.name, status: $0.status.rawValue, uptime: $0.uptime(at: now),
                    errorMessage: $0.errorMessage, node: $0.nodeID,
                    health: probes[$0.id].map(ProbeView.init))
            })
    }
}
