import ZCCore
import ZCHTTP

/// `/api/monitoring` (super-admin): the audit log, the fleet dashboard and fleet health.
enum MonitoringRoutes {
    struct HealthView: Encodable {
        let tenantId: String
        let name: String
        let status: String
        let uptime: Int64?
        let errorMessage: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tenantId, forKey: .tenantId)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encode(uptime, forKey: .uptime)
            try container.encode(errorMessage, forKey: .errorMessage)
        }

        enum CodingKeys: String, CodingKey {
            case tenantId, name, status, uptime, errorMessage
        }
    }

    struct DashboardView: Encodable {
        let tenants: [String: Int]
        let totalTenants: Int
        let users: Int
        let channels: Int
    }

    static func register(in router: inout Router, store: any Store, authorizer: Authorizer) {
        router.get("/api/monitoring/audit") { request, context in
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
        router.get("/api/monitoring/dashboard") { _, context in
            _ = try authorizer.require(.readFleet, context)
            let (counts, rows) = try await store.read { reader in
                (try await reader.tenantCountsByStatus(), try await reader.rowCounts())
            }
            var byStatus: [String: Int] = [:]
            for status in TenantStatus.allCases where status != .deleted {
                byStatus[status.rawValue] = counts[status] ?? 0
            }
            return JSONBody.response(
                DashboardView(
                    tenants: byStatus, totalTenants: counts.values.reduce(0, +), users: rows["users"] ?? 0,
                    channels: rows["channels"] ?? 0))
        }
        router.get("/api/monitoring/health") { _, context in
            _ = try authorizer.require(.readFleet, context)
            let now = Timestamp.now()
            let tenants = try await store.read { try await $0.tenants(.all) }
            return JSONBody.response(
                tenants.map {
                    HealthView(
                        tenantId: $0.id.rawValue, name: $0.name, status: $0.status.rawValue, uptime: $0.uptime(at: now),
                        errorMessage: $0.errorMessage)
                })
        }
    }
}
