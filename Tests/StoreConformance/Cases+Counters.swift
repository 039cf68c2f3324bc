import ZCCore

extension StoreConformance {
    static let counterCases: [StoreConformanceCase] = [
        StoreConformanceCase("usage counters: replaced per tenant, listed per node, gone with the tenant") { store in
            try await store.withTransaction { transaction in
                try await transaction.insertTenant(Fixtures.tenant("acme", status: .running, node: "n1", port: 32001))
                try await transaction.insertTenant(Fixtures.tenant("beta", status: .running, node: "n2", port: 32002))
            }
            let at = Fixtures.now
            @Sendable func counter(_ tenant: String, _ series: String, _ value: Double) -> UsageCounter {
                UsageCounter(tenantID: Fixtures.id(tenant), series: series, value: value, scrapedAt: at)
            }
            try await store.withTransaction { transaction in
                try await transaction.replaceUsageCounters(
                    of: Fixtures.id("acme"),
                    with: [counter("acme", "messages|m", 10), counter("acme", "tokens_in|t{model=\"a\\\"b\"}", 0.5)])
                try await transaction.replaceUsageCounters(of: Fixtures.id("beta"), with: [counter("beta", "x", 1)])
            }
            try expectEqual(
                try await store.read { try await $0.usageCounters(nodeID: "n1") },
                [counter("acme", "messages|m", 10), counter("acme", "tokens_in|t{model=\"a\\\"b\"}", 0.5)],
                "acme's, in series order")
            try await store.withTransaction { transaction in
                try await transaction.replaceUsageCounters(
                    of: Fixtures.id("acme"), with: [counter("acme", "messages|m", 12)])
            }
            try expectEqual(
                try await store.read { try await $0.usageCounters(nodeID: "n1") }, [counter("acme", "messages|m", 12)],
                "replaced whole")
            try await store.withTransaction { try await $0.deleteTenant(Fixtures.id("acme")) }
            try expectEqual(try await store.read { try await $0.usageCounters(nodeID: "n1") }, [], "gone with it")
            try expectEqual(try await store.read { try await $0.usageCounters(nodeID: "n2") }.count, 1, "per node")
        },
        StoreConformanceCase("alert states: replaced per node, read back whole") { store in
            let firing = AlertState(
                alert: Alert(
                    name: "TenantInError", severity: .warning, labels: ["tenant": "acme", "node": "n1"],
                    summary: "Tenant acme is in error", description: "health: ünïcødé 'quoted'",
                    activeSince: Fixtures.now),
                firing: true)
            let pending = AlertState(
                alert: Alert(
                    name: "HostDiskUsage", severity: .critical, labels: ["node": "n1", "path": "/data"],
                    summary: "Disk 96 % full", description: "above 95 %", activeSince: Fixtures.now.adding(seconds: 5)),
                firing: false)
            try await store.withTransaction { try await $0.replaceAlertStates(nodeID: "n1", with: [firing, pending]) }
            try await store.withTransaction { try await $0.replaceAlertStates(nodeID: "n2", with: [pending]) }
            try expectEqual(
                Set(try await store.read { try await $0.alertStates(nodeID: "n1") }), [firing, pending], "read back")
            try await store.withTransaction { try await $0.replaceAlertStates(nodeID: "n1", with: [firing]) }
            try expectEqual(try await store.read { try await $0.alertStates(nodeID: "n1") }, [firing], "replaced")
            try expectEqual(try await store.read { try await $0.alertStates(nodeID: "n2") }, [pending], "per node")
        },
    ]
}
