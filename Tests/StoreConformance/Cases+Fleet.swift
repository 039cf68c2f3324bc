import ZCCore

extension StoreConformance {
    static let fleetCases: [StoreConformanceCase] = [
        StoreConformanceCase("node: register and refresh") { store in
            let node = Node(
                id: "node-a", address: "10.0.0.5:8080", version: "0.1.0", startedAt: Fixtures.now,
                lastSeenAt: Fixtures.now)
            try await store.withTransaction { try await $0.upsertNode(node) }
            var seen = node
            seen.lastSeenAt = Fixtures.now.adding(seconds: 30)
            seen.version = "0.2.0"
            let refreshed = seen
            try await store.withTransaction { try await $0.upsertNode(refreshed) }
            try expectEqual(try await store.read { try await $0.nodes() }, [refreshed], "one node, refreshed")
        },
        StoreConformanceCase("row counts name every table") { store in
            let counts = try await store.read { try await $0.rowCounts() }
            for table in [
                "tenants", "users", "memberships", "channels", "access_tokens", "audit_log", "resource_snapshots",
                "usage_metrics", "nodes", "tenant_configs", "login_codes", "auth_attempts",
            ] {
                try expectEqual(counts[table], 0, table)
            }
        },
    ]
}
