import ZCCore

extension StoreConformance {
    static let tenantCases: [StoreConformanceCase] = [
        StoreConformanceCase("tenant: create, read, update, delete") { store in
            var acme = Fixtures.tenant("acme")
            try await store.withTransaction { [acme] in try await $0.insertTenant(acme) }
            try expectEqual(try await store.tenant(Fixtures.id("acme")), acme, "read back")

            acme.status = .running
            acme.errorMessage = "ünïcødé ✓ and 'quotes' \"too\"; DROP TABLE tenants; --"
            acme.nodeID = "node-a"
            acme.hostPort = 32001
            acme.uid = 20001
            acme.containerID = "c0ffee"
            acme.updatedAt = Fixtures.now.adding(seconds: 60)
            acme.startedAt = Fixtures.now.adding(seconds: 30)
            let updated = acme
            try await store.withTransaction { try await $0.updateTenant(updated) }
            var placed = updated
            placed.placementEpoch = 1  // placed on a node
            try expectEqual(try await store.tenant(Fixtures.id("acme")), placed, "after update")

            let deleted = try await store.withTransaction { try await $0.deleteTenant(Fixtures.id("acme")) }
            try expect(deleted, "delete reports the tenant existed")
            try expectEqual(try await store.tenant(Fixtures.id("acme")), nil, "after delete")
            let again = try await store.withTransaction { try await $0.deleteTenant(Fixtures.id("acme")) }
            try expect(!again, "a second delete reports nothing was deleted")
        },
        StoreConformanceCase("tenant: a second transaction that locks the tenant waits for the first, then sees it") {
            store in
            let acme = Fixtures.tenant("acme")
            try await store.withTransaction { try await $0.insertTenant(acme) }
            try expect(
                !(try await store.withTransaction { try await $0.lockTenant(Fixtures.id("ghost")) }), "no such tenant")
            async let first: Void = store.withTransaction { transaction in
                try expect(try await transaction.lockTenant(acme.id), "locked")
                try await Task.sleep(for: .milliseconds(300))
                var changed = acme
                changed.errorMessage = "written by the first"
                try await transaction.updateTenant(changed)
            }
            try await Task.sleep(for: .milliseconds(60))
            let seen = try await store.withTransaction { transaction -> String? in
                try await transaction.lockTenant(acme.id)
                return try await transaction.tenant(acme.id)?.errorMessage
            }
            try await first
            try expectEqual(seen, "written by the first", "the second waited for the first's commit")
        },
        StoreConformanceCase("tenant: update of a missing tenant is notFound") { store in
            try await expectStoreError(.notFound) {
                try await store.withTransaction { try await $0.updateTenant(Fixtures.tenant("ghost")) }
            }
        },
        StoreConformanceCase("tenant: duplicate id, host port on a node and uid are uniqueViolation") { store in
            try await Fixtures.insertTenants(store, ["acme"])
            try await expectStoreError(.uniqueViolation) {
                try await store.withTransaction { try await $0.insertTenant(Fixtures.tenant("acme")) }
            }
            try await store.withTransaction { transaction in
                try await transaction.insertTenant(Fixtures.tenant("one", node: "n1", port: 32001))
                // The same port on another node is fine.
                try await transaction.insertTenant(Fixtures.tenant("two", node: "n2", port: 32001))
            }
            try await expectStoreError(.uniqueViolation) {
                try await store.withTransaction {
                    try await $0.insertTenant(Fixtures.tenant("three", node: "n1", port: 32001))
                }
            }
            var four = Fixtures.tenant("four")
            four.uid = 20001
            var five = Fixtures.tenant("five")
            five.uid = 20001
            try await store.withTransaction { [four] in try await $0.insertTenant(four) }
            try await expectStoreError(.uniqueViolation) {
                try await store.withTransaction { [five] in try await $0.insertTenant(five) }
            }
        },
        StoreConformanceCase("tenant: list filters by member, status and node, pages by id") { store in
            let ids = (1...25).map { String(format: "t%02d", $0) }
            try await store.withTransaction { transaction in
                for (index, id) in ids.enumerated() {
                    try await transaction.insertTenant(
                        Fixtures.tenant(id, status: index % 2 == 0 ? .running : .stopped, node: index < 5 ? "a" : "b"))
                }
            }
            let user = try await store.withTransaction { try await $0.insertUser(try Fixtures.user("m@example.com")) }
            try await store.withTransaction { transaction in
                for id in ["t03", "t07", "t11"] {
                    try await transaction.setMembership(
                        Membership(tenantID: Fixtures.id(id), userID: user.id, role: .viewer, createdAt: Fixtures.now))
                }
            }
            let mine = try await store.read { try await $0.tenants(TenantFilter(memberUserID: user.id)) }
            try expectEqual(mine.map(\.id.rawValue), ["t03", "t07", "t11"], "member filter")
            let running = try await store.read { try await $0.tenants(TenantFilter(status: .running)) }
            try expectEqual(running.count, 13, "status filter")
            let onA = try await store.read { try await $0.tenants(TenantFilter(nodeID: "a")) }
            try expectEqual(onA.map(\.id.rawValue), ["t01", "t02", "t03", "t04", "t05"], "node filter")

            var seen: [String] = []
            var after: TenantID?
            while true {
                let page = try await store.read { [after] in try await $0.tenants(TenantFilter(after: after, limit: 10))
                }
                if page.isEmpty { break }
                try expect(page.count <= 10, "page size is respected")
                seen += page.map(\.id.rawValue)
                after = page.last?.id
            }
            try expectEqual(seen, ids, "pages cover every tenant once, in id order")
        },
        StoreConformanceCase("tenant: ids sort byte by byte, whatever the database's locale") { store in
            try await Fixtures.insertTenants(store, ["abcd", "abc1d", "abc-d", "ab-cd"])
            let listed = try await store.read { try await $0.tenants(.all) }.map(\.id.rawValue)
            try expectEqual(listed, ["ab-cd", "abc-d", "abc1d", "abcd"], "'-' < '1' < 'a'")
        },
        StoreConformanceCase("tenant: counts by status") { store in
            try await store.withTransaction { transaction in
                try await transaction.insertTenant(Fixtures.tenant("aaa", status: .running))
                try await transaction.insertTenant(Fixtures.tenant("bbb", status: .running))
                try await transaction.insertTenant(Fixtures.tenant("ccc", status: .error))
            }
            let counts = try await store.read { try await $0.tenantCountsByStatus() }
            try expectEqual(counts, [.running: 2, .error: 1], "counts")
        },
        StoreConformanceCase("tenant: delete cascades to members, channels, snapshots and usage; audit stays") {
            store in
            try await Fixtures.insertTenants(store, ["acme", "other"])
            try await store.withTransaction { transaction in
                let user = try await transaction.insertUser(try Fixtures.user("o@example.com"))
                try await transaction.setMembership(
                    Membership(tenantID: Fixtures.id("acme"), userID: user.id, role: .owner, createdAt: Fixtures.now))
                _ = try await transaction.insertChannel(
                    NewChannel(tenantID: Fixtures.id("acme"), kind: "telegram", name: "tg", createdAt: Fixtures.now))
                try await transaction.insertSnapshots([
                    Fixtures.snapshot("acme", at: 100), Fixtures.snapshot("other", at: 100),
                ])
                try await transaction.addUsage([
                    UsageHour(tenantID: Fixtures.id("acme"), hour: Fixtures.now, messages: 1, tokensIn: 2, tokensOut: 3)
                ])
                try await transaction.appendAudit(
                    NewAuditEvent(at: Fixtures.now, actor: "o@example.com", action: "tenant.create", tenantID: "acme"))
            }
            try await store.withTransaction { try await $0.deleteTenant(Fixtures.id("acme")) }
            let counts = try await store.read { try await $0.rowCounts() }
            try expectEqual(counts["memberships"], 0, "memberships")
            try expectEqual(counts["channels"], 0, "channels")
            try expectEqual(counts["resource_snapshots"], 1, "only the other tenant's snapshot")
            try expectEqual(counts["usage_metrics"], 0, "usage")
            try expectEqual(counts["audit_log"], 1, "audit outlives the tenant")
            try expectEqual(counts["users"], 1, "users stay")
        },
        StoreConformanceCase("placement epoch: a change of node moves it on; a write with the epoch read before fails")
        {
            store in
            let id = try TenantID("epoch-one")
            try await store.withTransaction {
                try await $0.insertTenant(Tenant(id: id, name: "E", plan: "default", createdAt: Fixtures.now))
            }
            let read = try await store.read { try await $0.tenant(id) }!
            try expectEqual(read.placementEpoch, 0, "a new tenant is at epoch 0")
            var placed = read
            placed.nodeID = "n1"
            placed.status = .deploying
            let first = placed
            try await store.withTransaction { try await $0.updateTenant(first) }
            let onN1 = try await store.read { try await $0.tenant(id) }!
            try expectEqual(onN1.placementEpoch, 1, "placed on a node: epoch 1")
            var running = onN1
            running.status = .running
            let same = running
            try await store.withTransaction { try await $0.updateTenant(same) }
            try expectEqual(try await store.read { try await $0.tenant(id) }?.placementEpoch, 1, "same node: unchanged")
            var moved = try await store.read { try await $0.tenant(id) }!
            moved.nodeID = "n2"
            let move = moved
            try await store.withTransaction { try await $0.updateTenant(move) }
            // A node that still holds what it read at epoch 1 writes nothing.
            var stale = onN1
            stale.status = .stopped
            let write = stale
            do {
                try await store.withTransaction { try await $0.updateTenant(write) }
                try expect(false, "a write with a stale placement epoch succeeded")
            } catch let error as StoreError {
                try expectEqual(error.kind, .placementChanged, "refused as placed elsewhere: \(error)")
            }
            let now = try await store.read { try await $0.tenant(id) }!
            try expectEqual(now.nodeID, "n2", "the move stands")
            try expectEqual(now.placementEpoch, 2, "moved: epoch 2")
            try expectEqual(now.status, .running, "the stale write changed nothing")
        },
    ]
}
