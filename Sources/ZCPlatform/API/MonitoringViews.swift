import ZCCore

/// The JSON shapes of `/api/monitoring`.
extension MonitoringController {
    struct HealthView: Encodable {
        let tenantId: String
        let name: String
        let status: String
        let uptime: Int64?
        let errorMessage: String?
        let node: String?
        /// The health checker's last probe on this node; null before the first, or for other nodes' tenants.
        let health: ProbeView?
        /// Set while the agent's `/metrics` gives nothing to meter; null otherwise.
        let unmetered: UnmeteredView?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tenantId, forKey: .tenantId)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encode(uptime, forKey: .uptime)
            try container.encode(errorMessage, forKey: .errorMessage)
            try container.encode(node, forKey: .node)
            try container.encode(health, forKey: .health)
            try container.encode(unmetered, forKey: .unmetered)
        }

        enum CodingKeys: String, CodingKey {
            case tenantId, name, status, uptime, errorMessage, node, health, unmetered
        }
    }

    struct ProbeView: Encodable {
        let checkedAt: Timestamp
        let healthy: Bool
        let consecutiveFailures: Int
        let lastError: String?
        let restartedAt: Timestamp?
        /// `healthy`, `degraded` (answers, a part reports an error) or `unhealthy`.
        let state: String
        /// The parts the agent reported in its last answer.
        let components: [ComponentView]

        init(_ health: HealthBoard.TenantHealth) {
            checkedAt = health.checkedAt
            healthy = health.healthy
            consecutiveFailures = health.consecutiveFailures
            lastError = health.lastError
            restartedAt = health.restartedAt
            state = health.state
            components = health.components.map(ComponentView.init)
        }
    }

    struct ComponentView: Encodable {
        let name: String
        let status: String
        let lastError: String?
        let restartCount: Int

        init(_ component: AgentHealth.Component) {
            name = component.name
            status = component.status
            lastError = component.lastError
            restartCount = component.restartCount
        }
    }

    struct UnmeteredView: Encodable {
        let since: Timestamp
        let reason: String

        init(_ unmetered: HealthBoard.Unmetered) {
            since = unmetered.since
            reason = unmetered.reason
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
}
