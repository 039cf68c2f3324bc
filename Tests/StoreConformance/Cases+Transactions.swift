import ZCCore

struct Deliberate: Error {}

extension StoreConformance {
    static let transactionCases: [StoreConformanceCase] = [
        StoreConformanceCase("transaction: a throw rolls back every write") { store in
            do {
                try await store.withTransaction { transaction in
                    try await transaction.insertTenant(Fixtures.tenant("acme"))
                    _ = try await transaction.insertUser(try Fixtures.user("x@example.com"))
                    try await transaction.appendAudit(
                        NewAuditEvent(at: Fixtures.now, actor: "x", action: "tenant.create", tenantID: "acme"))
                    // The transaction sees its own writes.
                    try expect(try await transaction.tenant(Fixtures.id("acme")) != nil, "own write visible")
                    throw Deliberate()
                }
                try expect(false, "the body's error propagates")
            } catch is Deliberate {}
            let counts = try await store.read { try await $0.rowCounts() }
            try expectEqual(counts["tenants"], 0, "tenants")
            try expectEqual(counts["users"], 0, "users")
            try expectEqual(counts["audit_log"], 0, "audit")
        },
        StoreConformanceCase("transaction: a failing statement rolls back the earlier ones") { store in
            try await Fixtures.insertTenants(store, ["acme"])
            try await expectStoreError(.uniqueViolation) {
                try await store.withTransaction { transaction in
                    try await transaction.insertTenant(Fixtures.tenant("beta"))
                    try await transaction.insertTenant(Fixtures.tenant("acme"))
                }
            }
            try expectEqual(try await store.tenant(Fixtures.id("beta")), nil, "beta rolled back")
            // The store is usable afterwards.
            try await Fixtures.insertTenants(store, ["gamma"])
            try expect(try await store.tenant(Fixtures.id("gamma")) != nil, "later writes work")
        },
        StoreConformanceCase("transaction: a nested transaction is refused, not deadlocked") { store in
            _ = try await withinSeconds(10, "nested transaction") {
                try await expectStoreError(.nestedTransaction) {
                    try await store.withTransaction { _ in
                        try await store.withTransaction { _ in }
                    }
                }
            }
        },
        StoreConformanceCase("transaction: readers are not blocked by an open write and see committed data only") {
            store in
            try await Fixtures.insertTenants(store, ["before"])
            let written = Gate()
            let release = Gate()
            let writer = Task {
                try await store.withTransaction { transaction in
                    try await transaction.insertTenant(Fixtures.tenant("during"))
                    written.open()
                    await release.wait()
                }
            }
            await written.wait()
            let views = try await withinSeconds(10, "reads during an open write transaction") {
                try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<8 {
                        group.addTask { try await store.read { try await $0.tenants(.all) }.map(\.id.rawValue) }
                    }
                    var all: [[String]] = []
                    for try await view in group { all.append(view) }
                    return all
                }
            }
            release.open()
            try await writer.value
            try expectEqual(views.count, 8, "every reader finished")
            for view in views { try expectEqual(view, ["before"], "readers see only committed rows") }
            let after = try await store.read { try await $0.tenants(.all) }.map(\.id.rawValue)
            try expectEqual(after, ["before", "during"], "the commit is visible afterwards")
        },
        StoreConformanceCase("transaction: concurrent writers are serialized, none lost") { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await store.withTransaction { transaction in
                            try await transaction.insertTenant(Fixtures.tenant(String(format: "w%02d", index)))
                            try await transaction.appendAudit(
                                NewAuditEvent(at: Fixtures.now, actor: "w", action: "tenant.create"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let counts = try await store.read { try await $0.rowCounts() }
            try expectEqual(counts["tenants"], 20, "tenants")
            try expectEqual(counts["audit_log"], 20, "audit")
        },
        StoreConformanceCase("migrate: idempotent, and the schema version is the latest") { store in
            let again = try await store.migrate()
            try expectEqual(again, [], "a second migrate applies nothing")
            let version = try await store.schemaVersion()
            try expect(version.applied >= 1, "at least one migration applied")
            try expectEqual(version.applied, version.latest, "applied is latest")
        },
        StoreConformanceCase("values: text, integers and reals round-trip exactly") { store in
            let name = "Zürich — 東京 🚀 \u{7}bell and\ttab \\ 'quote' \"dq\" " + String(repeating: "x", count: 5000)
            var tenant = Fixtures.tenant("values")
            tenant.name = name
            tenant.hostPort = 65535
            tenant.uid = Int(Int32.max)
            let stored = tenant
            try await store.withTransaction { try await $0.insertTenant(stored) }
            try expectEqual(try await store.tenant(stored.id)?.name, name, "text")
            let extreme = ResourceSnapshot(
                tenantID: stored.id, collectedAt: Timestamp(seconds: 4_102_444_800), cpuPct: 123.456789012345,
                memBytes: Int64.max, memLimit: 0, diskBytes: Int64.max - 1, netIn: Int64.min, netOut: -1, pids: 0)
            try await store.withTransaction { try await $0.insertSnapshots([extreme]) }
            let back = try await store.read {
                try await $0.snapshots(of: stored.id, from: Timestamp(seconds: 0), to: Timestamp(seconds: Int64.max))
            }
            try expectEqual(back, [extreme], "integers and reals")
        },
        StoreConformanceCase("values: text holding NUL is refused by every store, and nothing is written") { store in
            var tenant = Fixtures.tenant("nul")
            tenant.name = "before\u{0}after"
            let refused = tenant
            try await expectStoreError(.constraintViolation) {
                try await store.withTransaction { try await $0.insertTenant(refused) }
            }
            try expectEqual(try await store.tenant(refused.id), nil, "nothing written")
        },
    ]
}
