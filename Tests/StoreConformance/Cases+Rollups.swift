import ZCCore

extension StoreConformance {
    static let rollupCases: [StoreConformanceCase] = [
        StoreConformanceCase("roll-ups: every snapshot is folded into its hour; min, avg and max per hour") { store in
            try await Fixtures.insertTenants(store, ["acme", "beta"])
            // Two hours of acme at one sample a minute, cpu = the minute; beta one sample; written in
            // cycles of one minute, and one batch holding a whole hour at once.
            try await store.withTransaction { transaction in
                for minute in Int64(0)..<60 {
                    try await transaction.insertSnapshots([
                        Fixtures.snapshot("acme", at: 7200 + minute * 60, cpu: Double(minute))
                    ])
                }
                try await transaction.insertSnapshots(
                    (Int64(0)..<60).map { Fixtures.snapshot("acme", at: 10_800 + $0 * 60, cpu: 100) }
                        + [Fixtures.snapshot("beta", at: 7260, cpu: 7)])
            }
            let hours = try await store.read {
                try await $0.hourlyResources(
                    of: Fixtures.id("acme"), from: Timestamp(seconds: 0), to: Timestamp(seconds: 1 << 40))
            }
            try expectEqual(hours.map(\.start.seconds), [7200, 10_800], "one bucket per hour")
            try expectEqual(hours.map(\.samples), [60, 60], "samples per hour")
            try expectEqual(
                hours.first?.cpuPct, MetricRange(min: 0, avg: 29.5, max: 59), "cpu of the first hour")
            try expectEqual(hours.last?.cpuPct, MetricRange(min: 100, avg: 100, max: 100), "cpu of the second")
            // net_in grows with time in the fixture: 1,000 + seconds.
            try expectEqual(hours.first?.netIn.min, 8200, "net_in min")
            try expectEqual(hours.first?.netIn.max, 8200 + 59 * 60, "net_in max")
            try expectEqual(hours.first?.memLimit, 268_435_456, "memory limit")
            let window = try await store.read {
                try await $0.hourlyResources(
                    of: Fixtures.id("acme"), from: Timestamp(seconds: 7201), to: Timestamp(seconds: 10_800))
            }
            try expectEqual(window.map(\.start.seconds), [], "hours are half-open [from, to)")
            let beta = try await store.read {
                try await $0.hourlyResources(
                    of: Fixtures.id("beta"), from: Timestamp(seconds: 0), to: Timestamp(seconds: 1 << 40))
            }
            try expectEqual(beta.map(\.cpuPct.max), [7], "beta's own hour")
        },
        StoreConformanceCase("roll-ups outlive pruned snapshots and go with their tenant") { store in
            try await Fixtures.insertTenants(store, ["acme", "gone"])
            try await store.withTransaction { transaction in
                for minute in Int64(0)..<120 {
                    try await transaction.insertSnapshots([
                        Fixtures.snapshot("acme", at: minute * 60), Fixtures.snapshot("gone", at: minute * 60),
                    ])
                }
            }
            _ = try await store.prune(.resourceSnapshots, olderThan: Timestamp(seconds: 1 << 40), batchSize: 50)
            var counts = try await store.read { try await $0.rowCounts() }
            try expectEqual(counts["resource_snapshots"], 0, "snapshots pruned")
            try expectEqual(counts["resource_rollups"], 4, "two hours of two tenants kept")
            try await store.withTransaction { try await $0.deleteTenant(Fixtures.id("gone")) }
            counts = try await store.read { try await $0.rowCounts() }
            try expectEqual(counts["resource_rollups"], 2, "a deleted tenant's roll-ups go with it")
            let pruned = try await store.prune(.resourceRollups, olderThan: Timestamp(seconds: 3600), batchSize: 1)
            try expectEqual(pruned, 1, "roll-ups have their own retention")
        },
        StoreConformanceCase("snapshot buckets: aligned to the start, half-open, min/avg/max, empty ones absent") {
            store in
            try await Fixtures.insertTenants(store, ["acme", "beta"])
            try await store.withTransaction { transaction in
                for minute in Int64(0)..<30 where !(10..<20).contains(minute) {
                    try await transaction.insertSnapshots([
                        Fixtures.snapshot("acme", at: 1000 + minute * 60, cpu: Double(minute)),
                        Fixtures.snapshot("beta", at: 1000 + minute * 60, cpu: 999),
                    ])
                }
            }
            let buckets = try await store.read {
                try await $0.snapshotBuckets(
                    of: Fixtures.id("acme"), from: Timestamp(seconds: 1000), to: Timestamp(seconds: 1000 + 30 * 60),
                    bucketSeconds: 300)
            }
            // Minutes 0–4, 5–9, (10–19 empty), 20–24, 25–29.
            try expectEqual(buckets.map(\.start.seconds), [1000, 1300, 2200, 2500], "bucket starts")
            try expectEqual(buckets.map(\.samples), [5, 5, 5, 5], "samples")
            try expectEqual(buckets.first?.cpuPct, MetricRange(min: 0, avg: 2, max: 4), "first bucket")
            try expectEqual(buckets.last?.cpuPct, MetricRange(min: 25, avg: 27, max: 29), "last bucket")
            try expectEqual(buckets.first?.pids, MetricRange(min: 9, avg: 9, max: 9), "an integer column")
            let halfOpen = try await store.read {
                try await $0.snapshotBuckets(
                    of: Fixtures.id("acme"), from: Timestamp(seconds: 1000), to: Timestamp(seconds: 1060),
                    bucketSeconds: 60)
            }
            try expectEqual(halfOpen.map(\.samples), [1], "the end is excluded")
        },
        StoreConformanceCase("usage totals: summed per tenant over the period, tenants without usage absent") {
            store in
            try await Fixtures.insertTenants(store, ["acme", "beta", "idle"])
            try await store.withTransaction { transaction in
                for hour in Int64(0)..<5 {
                    try await transaction.addUsage([
                        UsageHour(
                            tenantID: Fixtures.id("acme"), hour: Timestamp(seconds: hour * 3600), messages: 2,
                            tokensIn: 10, tokensOut: 1),
                        UsageHour(
                            tenantID: Fixtures.id("beta"), hour: Timestamp(seconds: hour * 3600), messages: 1,
                            tokensIn: 0, tokensOut: 0),
                    ])
                }
            }
            let totals = try await store.read {
                try await $0.usageTotals(from: Timestamp(seconds: 3600), to: Timestamp(seconds: 3 * 3600))
            }
            try expectEqual(
                totals,
                [
                    UsageTotal(
                        tenantID: Fixtures.id("acme"), messages: 6, tokensIn: 30, tokensOut: 3,
                        lastHour: Timestamp(seconds: 3 * 3600)),
                    UsageTotal(
                        tenantID: Fixtures.id("beta"), messages: 3, tokensIn: 0, tokensOut: 0,
                        lastHour: Timestamp(seconds: 3 * 3600)),
                ], "totals of hours 1 to 3")
        },
    ]
}
