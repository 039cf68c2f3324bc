import ZCCore

extension StoreConformance {
    static let fleetCases: [StoreConformanceCase] = [
        StoreConformanceCase("fleet: tenants with node state, role, newest snapshot and usage in one read") { store in
            let tenants = [
                Fixtures.tenant("alpha", status: .running, node: "up"),
                Fixtures.tenant("beta", status: .running, node: "gone"),
                Fixtures.tenant("gamma", status: .error, node: "up"), Fixtures.tenant("delta", status: .draft),
                Fixtures.tenant("omega", status: .deleted, node: "up"),
            ]
            let up = Node(
                id: "up", address: "127.0.0.1:1", version: "1", startedAt: Fixtures.now, lastHeartbeat: Fixtures.now)
            var gone = up
            gone.id = "gone"
            gone.state = .down
            let downNode = gone
            let user = try await store.withTransaction { transaction in
                try await transaction.upsertNode(up)
                try await transaction.upsertNode(downNode)
                for tenant in tenants { try await transaction.insertTenant(tenant) }
                let user = try await transaction.insertUser(try Fixtures.user("m@example.com"))
                for (id, role) in [("beta", TenantRole.viewer), ("gamma", .owner)] {
                    try await transaction.setMembership(
                        Membership(tenantID: Fixtures.id(id), userID: user.id, role: role, createdAt: Fixtures.now))
                }
                try await transaction.insertSnapshots([
                    Fixtures.snapshot("alpha", at: 100, cpu: 1), Fixtures.snapshot("beta", at: 100, cpu: 2),
                ])
                try await transaction.insertSnapshots([Fixtures.snapshot("alpha", at: 160, cpu: 3)])
                try await transaction.addUsage(
                    [3600, 7200, 10_800].map {
                        UsageHour(
                            tenantID: Fixtures.id("alpha"), hour: Timestamp(seconds: $0), messages: 2, tokensIn: 10,
                            tokensOut: 20)
                    } + [
                        UsageHour(
                            tenantID: Fixtures.id("gamma"), hour: Timestamp(seconds: 36_000), messages: 5,
                            tokensIn: 1, tokensOut: 1)
                    ])
                return user
            }
            let period = Timestamp(seconds: 7200)...Timestamp(seconds: 10_800)
            let all = try await store.read {
                try await $0.fleet(FleetQuery(roleOfUserID: user.id, snapshots: true, usage: period))
            }
            try expectEqual(all.map(\.tenant.id.rawValue), ["alpha", "beta", "delta", "gamma"], "by id, deleted aside")
            try expectEqual(
                all.map(\.tenant), tenants.filter { $0.status != .deleted }.sorted { $0.id < $1.id },
                "the tenants as stored")
            try expectEqual(
                all.map(\.status.rawValue), ["running", "unreachable", "draft", "error"], "node down: unreachable")
            try expectEqual(all.map(\.role), [nil, .viewer, nil, .owner], "the user's role where a member")
            let latest = try await store.read { try await $0.latestSnapshots() }
            try expectEqual(all.compactMap(\.snapshot), latest, "the newest snapshot, as latestSnapshots reads it")
            try expectEqual(all.first?.snapshot?.cpuPct, 3, "the newest")
            let usage = try await store.read {
                try await $0.usageTotals(from: period.lowerBound, to: period.upperBound)
            }
            try expectEqual(all.compactMap(\.usage), usage, "usage over the period, as usageTotals sums it")
            try expectEqual(all.first?.usage?.messages, 4, "two hours of the three in the period")
            try expectEqual(all.first?.usage?.lastHour, Timestamp(seconds: 10_800), "the period's newest hour")

            let mine = try await store.read { try await $0.fleet(FleetQuery(memberUserID: user.id)) }
            try expectEqual(mine.map(\.tenant.id.rawValue), ["beta", "gamma"], "a member's tenants only")
            try expectEqual(mine.map(\.role), [.viewer, .owner], "with their roles")
            try expect(mine.allSatisfy { $0.snapshot == nil && $0.usage == nil }, "nothing not asked for")
            func ids(_ status: String?, deleted: Bool = false) async throws -> [String] {
                let query = FleetQuery(status: status.flatMap(FleetStatus.init(rawValue:)), includeDeleted: deleted)
                return try await store.read { try await $0.fleet(query) }.map(\.tenant.id.rawValue)
            }
            try expectEqual(try await ids("running"), ["alpha"], "running: not the one whose node is down")
            try expectEqual(try await ids("unreachable"), ["beta"], "unreachable: its node is down")
            try expectEqual(try await ids("error"), ["gamma"], "error")
            try expectEqual(try await ids("stopped"), [], "none")
            try expectEqual(
                try await ids(nil, deleted: true), ["alpha", "beta", "delta", "gamma", "omega"], "with deleted")
            try expectEqual(try await ids("deleted", deleted: true), ["omega"], "deleted only")
        },
        StoreConformanceCase("node: register and refresh") { store in
            let node = Node(
                id: "node-a", address: "10.0.0.5:8080", version: "0.1.0", startedAt: Fixtures.now,
                lastHeartbeat: Fixtures.now)
            try await store.withTransaction { try await $0.upsertNode(node) }
            var seen = node
            seen.lastHeartbeat = Fixtures.now.adding(seconds: 30)
            seen.version = "0.2.0"
            let refreshed = seen
            try await store.withTransaction { try await $0.upsertNode(refreshed) }
            try expectEqual(try await store.read { try await $0.nodes() }, [refreshed], "one node, refreshed")
        },
        StoreConformanceCase("heartbeat: by the database's clock; draining stays draining, a down node returns") {
            store in
            let before = Timestamp.now()
            let node = Node(
                id: "node-b", address: "127.0.0.12:8080", version: "0.2.0", startedAt: before,
                lastHeartbeat: Timestamp(seconds: 1), state: .down, memoryCapacity: 8 << 30, memoryReserved: 1 << 30)
            let beat = try await store.withTransaction { try await $0.heartbeat(node, ttlSeconds: 5) }
            let after = Timestamp.now()
            try expect(
                beat.lastHeartbeat.seconds >= before.seconds - 2 && beat.lastHeartbeat.seconds <= after.seconds + 2,
                "stamped now by the database's clock, not with the node's value: \(beat.lastHeartbeat)")
            try expectEqual(beat.expiresAt.seconds, beat.lastHeartbeat.seconds + 5, "expires a TTL later")
            try expectEqual(beat.state, .active, "a first heartbeat is active")
            try expectEqual(beat.memoryCapacity, 8 << 30, "capacity")
            try expectEqual(beat.memoryReserved, 1 << 30, "reserved")
            try expectEqual(try await store.read { try await $0.nodes() }, [beat], "stored as returned")

            var draining = beat
            draining.state = .draining
            let drained = draining
            try await store.withTransaction { try await $0.upsertNode(drained) }
            let still = try await store.withTransaction { try await $0.heartbeat(node, ttlSeconds: 5) }
            try expectEqual(still.state, .draining, "a heartbeat keeps a drain")
            var down = beat
            down.state = .down
            let marked = down
            try await store.withTransaction { try await $0.upsertNode(marked) }
            let back = try await store.withTransaction { try await $0.heartbeat(node, ttlSeconds: 5) }
            try expectEqual(back.state, .active, "a down node that beats again is active")
        },
        StoreConformanceCase(
            "node self-check: a beat writes the vault key's fingerprint and the address check as the node holds them"
        ) { store in
            let started = Fixtures.now
            var node = Node(
                id: "node-c", address: "127.0.0.13:8080", version: "0.2.0", startedAt: started,
                lastHeartbeat: started, vaultKey: "v1:0011223344556677")
            let first = try await store.withTransaction { [node] in try await $0.heartbeat(node, ttlSeconds: 5) }
            try expectEqual(first.vaultKey, "v1:0011223344556677", "the fingerprint as written")
            try expectEqual(first.addressCheck, nil, "not checked yet")
            let failed = Node.AddressCheck(checkedAt: started.adding(seconds: 1), error: "answered by another process")
            node.addressCheck = failed
            let checked = try await store.withTransaction { [node] in try await $0.heartbeat(node, ttlSeconds: 5) }
            try expectEqual(checked.addressCheck, failed, "a failed check with its reason")
            try expectEqual(try await store.read { try await $0.nodes() }, [checked], "stored as returned")
            node.addressCheck = Node.AddressCheck(checkedAt: started.adding(seconds: 2), error: nil)
            node.vaultKey = "v2:8899aabbccddeeff"
            let ok = try await store.withTransaction { [node] in try await $0.heartbeat(node, ttlSeconds: 5) }
            try expectEqual(ok.addressCheck, node.addressCheck, "ok replaces failed")
            try expectEqual(ok.vaultKey, "v2:8899aabbccddeeff", "a rotated key shows at the next beat")
            node.addressCheck = nil
            node.startedAt = started.adding(seconds: 60)
            let restarted = try await store.withTransaction { [node] in try await $0.heartbeat(node, ttlSeconds: 5) }
            try expectEqual(restarted.addressCheck, nil, "a node started again has not checked its address")
            var copied = restarted
            copied.addressCheck = failed
            let copy = copied
            try await store.withTransaction { try await $0.upsertNode(copy) }
            try expectEqual(try await store.read { try await $0.nodes() }, [copy], "a copy writes the node as given")
        },
        StoreConformanceCase("schema: a read tells the version applied, as migrate left it") { store in
            let version = try await store.schemaVersion()
            try expectEqual(try await store.read { try await $0.appliedSchemaVersion() }, version.applied, "applied")
            try expectEqual(version.applied, version.latest, "a fresh store is migrated to the latest")
        },
        StoreConformanceCase("nodes down: only past expiry and grace by the database's clock, each marked once") {
            store in
            let now = Timestamp.now()
            let late = Node(
                id: "node-late", address: "a:1", version: "v", startedAt: now, lastHeartbeat: now.adding(seconds: -200),
                expiresAt: now.adding(seconds: -100))
            let recent = Node(
                id: "node-recent", address: "b:1", version: "v", startedAt: now,
                lastHeartbeat: now.adding(seconds: -10),
                expiresAt: now.adding(seconds: -5))
            let fresh = Node(
                id: "node-fresh", address: "c:1", version: "v", startedAt: now, lastHeartbeat: now,
                expiresAt: now.adding(seconds: 100))
            try await store.withTransaction { transaction in
                for node in [late, recent, fresh] { try await transaction.upsertNode(node) }
            }
            let marked = try await store.withTransaction { try await $0.markNodesDown(graceSeconds: 20) }
            try expectEqual(marked, ["node-late"], "only the one expired longer than the grace")
            let again = try await store.withTransaction { try await $0.markNodesDown(graceSeconds: 20) }
            try expectEqual(again, [], "marked once")
            let states = try await store.read { try await $0.nodes() }.map { "\($0.id)=\($0.state.rawValue)" }
            try expectEqual(states, ["node-fresh=active", "node-late=down", "node-recent=active"], "states")
        },
        StoreConformanceCase("lease: taken, renewed in its term, never stolen while it runs, taken over when expired") {
            store in
            func acquire(_ holder: String, _ ttl: Int64) async throws -> Lease? {
                try await store.withTransaction { try await $0.acquireLease("leader", holder: holder, ttlSeconds: ttl) }
            }
            let first = try await acquire("n1", 60)
            try expectEqual(first?.holder, "n1", "the first taker holds it")
            try expectEqual(first?.term, 1, "term 1")
            let renewed = try await acquire("n1", 60)
            try expectEqual(renewed?.term, 1, "a renewal keeps the term")
            try expect(renewed.map { $0.expiresAt.seconds >= first!.expiresAt.seconds } == true, "and runs on")
            try expect(try await acquire("n2", 60) == nil, "not stolen while it runs")
            try await store.withTransaction { try await $0.releaseLease("leader", holder: "n2") }
            try expectEqual(
                try await store.read { try await $0.lease("leader") }?.holder, "n1", "only the holder releases")

            // n1 renews for no time at all: expired at once, so n2 takes it, and the term grows.
            _ = try await acquire("n1", 0)
            let taken = try await acquire("n2", 60)
            try expectEqual(taken?.holder, "n2", "an expired lease is taken over")
            try expectEqual(taken?.term, 2, "by a new term")
            try expect(try await acquire("n1", 60) == nil, "the old holder cannot renew it back")
            try await store.withTransaction { try await $0.releaseLease("leader", holder: "n2") }
            let back = try await acquire("n1", 60)
            try expectEqual(back?.term, 3, "a released lease is taken at once, by a new term")
            try expectEqual(try await store.read { try await $0.lease("leader") }, back, "stored as returned")
            try expect(try await store.read { try await $0.lease("other") } == nil, "a lease never taken is nil")
        },
        StoreConformanceCase("placed tenants: counted by node and plan, deleted and unplaced ones not; a node locked") {
            store in
            let plans = [
                ("alpha-1", "n1", "default"), ("alpha-2", "n1", "default"), ("alpha-3", "n1", "large"),
                ("alpha-4", "n2", "default"),
            ]
            try await store.withTransaction { transaction in
                try await transaction.upsertNode(
                    Node(
                        id: "n1", address: "a:1", version: "v", startedAt: Fixtures.now, lastHeartbeat: Fixtures.now,
                        memoryCapacity: 1 << 30))
                for (id, node, plan) in plans {
                    try await transaction.insertTenant(
                        Tenant(
                            id: try TenantID(id), name: id, plan: plan, status: .running, nodeID: node,
                            createdAt: Fixtures.now))
                }
                try await transaction.insertTenant(
                    Tenant(id: try TenantID("unplaced"), name: "u", plan: "default", createdAt: Fixtures.now))
                try await transaction.insertTenant(
                    Tenant(
                        id: try TenantID("gone"), name: "g", plan: "default", status: .deleted, nodeID: "n1",
                        createdAt: Fixtures.now))
            }
            try expectEqual(
                try await store.read { try await $0.placedTenants(nodeID: nil) },
                [
                    PlacedTenants(node: "n1", plan: "default", count: 2),
                    PlacedTenants(node: "n1", plan: "large", count: 1),
                    PlacedTenants(node: "n2", plan: "default", count: 1),
                ], "grouped by node and plan")
            try expectEqual(
                try await store.read { try await $0.placedTenants(nodeID: "n2") },
                [PlacedTenants(node: "n2", plan: "default", count: 1)], "one node's")
            let locked = try await store.withTransaction { transaction in
                (try await transaction.lockNode("n1"), try await transaction.lockNode("n9"))
            }
            try expectEqual(locked.0?.memoryCapacity, 1 << 30, "the locked node as stored")
            try expect(locked.1 == nil, "an unknown node locks nothing")
            // A signal is a hint sent at commit; on a store no other node shares it does nothing.
            try await store.withTransaction { try await $0.signal("zcplatform_work", payload: "n2") }
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
        StoreConformanceCase("revision: moves with every committed write, snapshots, usage and nodes included") {
            store in
            guard let revisions = store as? any StoreRevisions else {
                throw ConformanceFailure(message: "the store has no revisions", location: #fileID)
            }
            var seen: [StoreRevision] = [try await revisions.revision()]
            // Each write the fleet table shows: a new revision after each, never one seen before.
            let writes: [@Sendable (any StoreTransaction) async throws -> Void] = [
                { try await $0.insertTenant(Fixtures.tenant("alpha", status: .running, node: "n1")) },
                { try await $0.insertSnapshots([Fixtures.snapshot("alpha", at: 100, cpu: 1)]) },
                {
                    try await $0.addUsage([
                        UsageHour(
                            tenantID: Fixtures.id("alpha"), hour: Timestamp(seconds: 3600), messages: 1, tokensIn: 1,
                            tokensOut: 1)
                    ])
                },
                {
                    try await $0.upsertNode(
                        Node(
                            id: "n1", address: "127.0.0.1:1", version: "1", startedAt: Fixtures.now,
                            lastHeartbeat: Fixtures.now))
                },
            ]
            for (index, write) in writes.enumerated() {
                try await store.withTransaction { try await write($0) }
                let revision = try await revisions.revision()
                try expect(!seen.contains(revision), "write \(index + 1) left the revision at \(revision)")
                seen.append(revision)
            }
        },
    ]
}
