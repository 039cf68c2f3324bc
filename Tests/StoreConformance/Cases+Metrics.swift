import ZCCore

extension StoreConformance {
    static let metricCases: [StoreConformanceCase] = [
        StoreConformanceCase("snapshots: a 1,000-row cycle in one batch; unknown tenants skipped; same time upserts") {
            store in
            let ids = (0..<1000).map { String(format: "tenant-%04d", $0) }
            try await Fixtures.insertTenants(store, ids)
            let cycle = ids.map { Fixtures.snapshot($0, at: 1000) } + [Fixtures.snapshot("deleted-one", at: 1000)]
            let written = try await store.withTransaction { try await $0.insertSnapshots(cycle) }
            try expectEqual(written, 1000, "rows written")
            try expectEqual(try await store.read { try await $0.rowCounts() }["resource_snapshots"], 1000, "count")
            let again = try await store.withTransaction {
                try await $0.insertSnapshots([Fixtures.snapshot("tenant-0001", at: 1000, cpu: 99)])
            }
            try expectEqual(again, 1, "the same tenant and time replaces the row")
            let row = try await store.read {
                try await $0.snapshots(
                    of: Fixtures.id("tenant-0001"), from: Timestamp(seconds: 1000), to: Timestamp(seconds: 1000))
            }
            try expectEqual(row.map(\.cpuPct), [99], "replaced values")
            let twice = try await store.withTransaction {
                try await $0.insertSnapshots([
                    Fixtures.snapshot("tenant-0002", at: 2000, cpu: 1),
                    Fixtures.snapshot("tenant-0002", at: 2000, cpu: 2),
                ])
            }
            try expectEqual(twice, 1, "one row for a tenant and time given twice in one batch")
            let last = try await store.read {
                try await $0.snapshots(
                    of: Fixtures.id("tenant-0002"), from: Timestamp(seconds: 2000), to: Timestamp(seconds: 2000))
            }
            try expectEqual(last.map(\.cpuPct), [2], "the later sample wins")
        },
        StoreConformanceCase("snapshots: range query is inclusive, ordered and per tenant") { store in
            try await Fixtures.insertTenants(store, ["acme", "beta"])
            try await store.withTransaction { transaction in
                for minute in stride(from: Int64(0), to: 60, by: 1) {
                    try await transaction.insertSnapshots([
                        Fixtures.snapshot("acme", at: 10_000 + minute * 60, cpu: Double(minute)),
                        Fixtures.snapshot("beta", at: 10_000 + minute * 60, cpu: -1),
                    ])
                }
            }
            let range = try await store.read {
                try await $0.snapshots(
                    of: Fixtures.id("acme"), from: Timestamp(seconds: 10_600), to: Timestamp(seconds: 11_200))
            }
            try expectEqual(range.map(\.cpuPct), (10...20).map(Double.init), "minutes 10 through 20")
            try expect(range.allSatisfy { $0.tenantID.rawValue == "acme" }, "only the asked tenant")
            let empty = try await store.read {
                try await $0.snapshots(
                    of: Fixtures.id("nobody"), from: Timestamp(seconds: 0), to: Timestamp(seconds: 1 << 40))
            }
            try expectEqual(empty, [], "an unknown tenant has no snapshots")
        },
        StoreConformanceCase("snapshots: latest per tenant") { store in
            try await Fixtures.insertTenants(store, ["acme", "beta", "idle"])
            try await store.withTransaction { transaction in
                try await transaction.insertSnapshots([
                    Fixtures.snapshot("acme", at: 100, cpu: 1), Fixtures.snapshot("beta", at: 100, cpu: 2),
                ])
                try await transaction.insertSnapshots([Fixtures.snapshot("acme", at: 160, cpu: 3)])
            }
            let latest = try await store.read { try await $0.latestSnapshots() }
            try expectEqual(latest.map(\.tenantID.rawValue), ["acme", "beta"], "tenants with snapshots")
            try expectEqual(latest.map(\.cpuPct), [3, 2], "newest of each")
        },
        StoreConformanceCase("retention: pruning in small batches deletes exactly the old rows of every table") {
            store in
            let ids = ["acme", "beta", "gamma", "delta"]
            try await Fixtures.insertTenants(store, ids)
            try await store.withTransaction { transaction in
                for minute in Int64(0)..<30 {
                    try await transaction.insertSnapshots(ids.map { Fixtures.snapshot($0, at: minute * 60) })
                }
                for hour in Int64(0)..<10 {
                    try await transaction.addUsage(
                        ids.map {
                            UsageHour(
                                tenantID: Fixtures.id($0), hour: Timestamp(seconds: hour * 3600), messages: 1,
                                tokensIn: 1, tokensOut: 1)
                        })
                }
                for second in Int64(0)..<40 {
                    try await transaction.appendAudit(
                        NewAuditEvent(at: Timestamp(seconds: second), actor: "x", action: "test.event"))
                }
                let user = try await transaction.insertUser(try Fixtures.user("p@example.com"))
                for second in Int64(0)..<12 {
                    _ = try await transaction.insertAccessToken(
                        NewAccessToken(
                            userID: user.id, kind: .session, name: nil, tokenHash: [UInt8(second)],
                            createdAt: Timestamp(seconds: 0), expiresAt: Timestamp(seconds: second)))
                }
            }
            // 20 of 30 minutes per tenant are older than minute 20: 80 rows, pruned 7 at a time.
            let snapshots = try await store.prune(.resourceSnapshots, olderThan: Timestamp(seconds: 1200), batchSize: 7)
            try expectEqual(snapshots, 80, "snapshots pruned")
            let usage = try await store.prune(.usageMetrics, olderThan: Timestamp(seconds: 4 * 3600), batchSize: 3)
            try expectEqual(usage, 16, "usage hours pruned")
            let audit = try await store.prune(.auditLog, olderThan: Timestamp(seconds: 25), batchSize: 4)
            try expectEqual(audit, 25, "audit events pruned")
            let tokens = try await store.prune(.accessTokens, olderThan: Timestamp(seconds: 5), batchSize: 100)
            try expectEqual(tokens, 5, "expired tokens pruned")
            let counts = try await store.read { try await $0.rowCounts() }
            try expectEqual(counts["resource_snapshots"], 40, "snapshots kept")
            try expectEqual(counts["usage_metrics"], 24, "usage kept")
            try expectEqual(counts["audit_log"], 15, "audit kept")
            try expectEqual(counts["access_tokens"], 7, "tokens kept")
            for id in ids {
                let kept = try await store.read {
                    try await $0.snapshots(
                        of: Fixtures.id(id), from: Timestamp(seconds: 0), to: Timestamp(seconds: 1 << 40))
                }
                try expectEqual(kept.first?.collectedAt.seconds, 1200, "\(id) keeps minute 20 onwards")
            }
            let nothing = try await store.prune(.resourceSnapshots, olderThan: Timestamp(seconds: 1200), batchSize: 7)
            try expectEqual(nothing, 0, "a second prune finds nothing")
        },
        StoreConformanceCase("usage: additions to the same hour accumulate; range query") { store in
            try await Fixtures.insertTenants(store, ["acme"])
            let acme = Fixtures.id("acme")
            let hour = Timestamp(seconds: 7200)
            try await store.withTransaction {
                try await $0.addUsage([UsageHour(tenantID: acme, hour: hour, messages: 3, tokensIn: 100, tokensOut: 50)]
                )
            }
            try await store.withTransaction {
                try await $0.addUsage([
                    UsageHour(
                        tenantID: acme, hour: hour.adding(seconds: 1800), messages: 2, tokensIn: 10, tokensOut: 5),
                    UsageHour(tenantID: acme, hour: hour.adding(seconds: 3600), messages: 1, tokensIn: 1, tokensOut: 1),
                ])
            }
            let hours = try await store.read {
                try await $0.usage(of: acme, from: Timestamp(seconds: 0), to: Timestamp(seconds: 100_000))
            }
            try expectEqual(
                hours,
                [
                    UsageHour(tenantID: acme, hour: hour, messages: 5, tokensIn: 110, tokensOut: 55),
                    UsageHour(tenantID: acme, hour: hour.adding(seconds: 3600), messages: 1, tokensIn: 1, tokensOut: 1),
                ], "hours")
        },
    ]
}
