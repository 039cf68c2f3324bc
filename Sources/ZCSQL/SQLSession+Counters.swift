import ZCCore

extension SQLSession {
    func usageCounters(nodeID: String) async throws -> [UsageCounter] {
        try await rows(
            """
            SELECT t.id AS tenant_id, c.series, c.value, c.scraped_at FROM usage_counters c \
            JOIN tenants t ON t.tenant_key = c.tenant_key WHERE t.node_id = \(nodeID) ORDER BY t.id, c.series
            """
        ).map { row in
            UsageCounter(
                tenantID: TenantID(trusted: try row.string("tenant_id")), series: try row.string("series"),
                value: try row.double("value"), scrapedAt: try row.timestamp("scraped_at"))
        }
    }

    func alertStates(nodeID: String) async throws -> [AlertState] {
        try await rows(
            """
            SELECT name, severity, labels, summary, description, active_since, firing FROM alert_states \
            WHERE node_id = \(nodeID) ORDER BY key
            """
        ).map { row in
            var labels: [String: String] = [:]
            if case .object(let fields)? = JSONValue(jsonText: try row.string("labels")) {
                for (name, value) in fields { if case .string(let text) = value { labels[name] = text } }
            }
            let severity = Notification.Severity(rawValue: try row.string("severity")) ?? .warning
            return AlertState(
                alert: Alert(
                    name: try row.string("name"), severity: severity, labels: labels,
                    summary: try row.string("summary"), description: try row.string("description"),
                    activeSince: try row.timestamp("active_since")),
                firing: try row.int64("firing") != 0)
        }
    }
}

extension SQLWriteSession {
    func replaceUsageCounters(of tenant: TenantID, with counters: [UsageCounter]) async throws {
        try await run(
            "DELETE FROM usage_counters WHERE tenant_key = (SELECT tenant_key FROM tenants WHERE id = \(tenant))")
        _ = try await runMany(
            counters.map { counter in
                """
                INSERT INTO usage_counters (tenant_key, series, value, scraped_at) \
                SELECT tenant_key, \(counter.series), \(counter.value), \(counter.scrapedAt) FROM tenants \
                WHERE id = \(tenant)
                """
            })
    }

    func replaceAlertStates(nodeID: String, with states: [AlertState]) async throws {
        try await run("DELETE FROM alert_states WHERE node_id = \(nodeID)")
        _ = try await runMany(
            states.map { state in
                let labels = JSONValue.object(state.alert.labels.mapValues { .string($0) }).jsonText
                return """
                    INSERT INTO alert_states \
                    (node_id, key, name, severity, labels, summary, description, active_since, firing) VALUES \
                    (\(nodeID), \(state.alert.key), \(state.alert.name), \(state.alert.severity.rawValue), \
                    \(labels), \(state.alert.summary), \(state.alert.description), \(state.alert.activeSince), \
                    \(state.firing ? 1 : 0))
                    """
            })
    }
}
