import ZCCore
import ZCHTTP

/// `/api/monitoring` (super-admin): the audit log, the fleet dashboard, fleet health, resources and usage.
struct MonitoringController: Sendable {
    let reports: FleetReports
    let authorizer: Authorizer
    let alerts: AlertEvaluator?

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
        // This node's own, and the cluster's (evaluated by the leader, whichever node that is).
        let all = (alerts?.firing ?? []) + (try await reports.clusterAlerts())
        return JSONBody.response(
            all.sorted { ($0.activeSince, $0.key) < ($1.activeSince, $1.key) }.map(AlertView.init))
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
        let page = try await reports.audit(query)
        return JSONBody.response(
            AuditPageView(events: page.events.map(AuditEventView.init), nextCursor: page.nextCursor))
    }

    @Sendable func dashboard(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let report = try await reports.dashboard()
        return JSONBody.response(
            DashboardView(
                tenants: Dictionary(uniqueKeysWithValues: report.tenantsByStatus.map { ($0.key.rawValue, $0.value) })
                    .merging(["unreachable": report.unreachableTenants]) { $1 },
                totalTenants: report.totalTenants, users: report.users, channels: report.channels,
                runtime: RuntimeView(
                    driver: report.runtimeDriver, isolated: report.runtimeIsolated,
                    reachable: report.runtimeOutage == nil,
                    outageSince: report.runtimeOutage?.since, outageReason: report.runtimeOutage?.reason),
                unhealthyTenants: report.unhealthyTenants))
    }

    @Sendable func resources(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let report = try await reports.resources()
        let totals = report.current
        return JSONBody.response(
            writing: FleetResourcesView(
                totals: FleetResourcesView.Totals(
                    tenants: totals.tenants, cpuPct: totals.cpuPct, memBytes: totals.memBytes,
                    memLimit: totals.memLimit, diskBytes: totals.diskBytes, pids: totals.pids),
                tenants: report.latest.map(SnapshotView.init)))
    }

    @Sendable func usage(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let (from, to) = try ResourceController.usagePeriod(request)
        let report = try await reports.usage(from: from, to: to)
        return JSONBody.response(
            FleetUsageView(
                from: report.from, to: report.to,
                totals: UsageTotalsView(
                    messages: report.messages, tokensIn: report.tokensIn, tokensOut: report.tokensOut),
                tenants: report.tenants.map {
                    TenantUsageView(
                        tenantId: $0.tenantID.rawValue, messages: $0.messages, tokensIn: $0.tokensIn,
                        tokensOut: $0.tokensOut)
                }))
    }

    @Sendable func fleetHealth(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let status = try request.queryParameter("status").map { text -> FleetStatus in
            guard let status = FleetStatus(rawValue: text) else {
                throw HTTPError(.badRequest, "status must be one of \(FleetStatus.names.joined(separator: ", "))")
            }
            return status
        }
        let now = Timestamp.now()
        return JSONBody.response(
            writingArray: try await reports.tenantHealth(status: status).map { entry in
                let tenant = entry.tenant
                return HealthView(
                    tenantId: tenant.id.rawValue, name: tenant.name,
                    status: entry.unreachable ? "unreachable" : tenant.status.rawValue,
                    uptime: tenant.uptime(at: now), errorMessage: tenant.errorMessage, node: tenant.nodeID,
                    health: entry.probe.map(ProbeView.init), unmetered: entry.unmetered.map(UnmeteredView.init))
            })
    }
}
