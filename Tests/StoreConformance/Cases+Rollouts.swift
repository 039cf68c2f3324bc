import ZCCore

extension StoreConformance {
    static let rolloutCases: [StoreConformanceCase] = [
        StoreConformanceCase(
            "rollouts: recorded with their tenants, one row read alone, state changes conditional, work by node, the release"
        ) { store in
            try await store.withTransaction { transaction in
                try await transaction.insertTenant(Fixtures.tenant("alpha", status: .running, node: "n1"))
                try await transaction.insertTenant(Fixtures.tenant("beta", status: .running, node: "n2"))
            }
            let older = Rollout(
                id: "ro-000000000001", image: "img:1", canary: 1, batchSize: 1, healthSeconds: 5, maxFailures: 1,
                pauseAfterCanary: false, wholeFleet: true, createdBy: "test", createdAt: Fixtures.now)
            let newer = Rollout(
                id: "ro-000000000002", image: "img:2", canary: 1, batchSize: 1, healthSeconds: 5, maxFailures: 1,
                pauseAfterCanary: false, wholeFleet: true, createdBy: "test", createdAt: Fixtures.now)
            let rows = ["alpha", "beta"].enumerated().map { index, id in
                RolloutTenant(
                    rolloutID: newer.id, tenantID: Fixtures.id(id), position: index, batch: index, from: "img:1",
                    updatedAt: Fixtures.now)
            }
            let (first, second) = (older, newer)
            try await store.withTransaction { transaction in
                try await transaction.lockRollouts()
                try await transaction.insertRollout(first, tenants: [])
                try await transaction.insertRollout(second, tenants: rows)
            }
            // Newest first, by id (ids sort as rollouts start).
            try expectEqual(try await store.read { try await $0.rollouts(limit: 10) }.map(\.id), [newer.id, older.id])
            try expectEqual(try await store.read { try await $0.rolloutTenants(of: newer.id) }, rows)
            try expectEqual(
                try await store.read { try await $0.rolloutTenant(of: newer.id, tenant: Fixtures.id("beta")) }, rows[1])
            try expect(
                try await store.read { try await $0.rolloutTenant(of: older.id, tenant: Fixtures.id("beta")) } == nil,
                "a tenant not in the rollout has no row")
            // A row changes only from the states expected; the node's work is its updating rows.
            let updating = RolloutTenant(
                rolloutID: newer.id, tenantID: Fixtures.id("alpha"), position: 0, batch: 0, state: .updating,
                from: "img:1", updatedAt: Fixtures.now)
            let (marked, refused) = try await store.withTransaction { transaction in
                (
                    try await transaction.updateRolloutTenant(updating, expecting: [.pending]),
                    try await transaction.updateRolloutTenant(updating, expecting: [.pending])
                )
            }
            try expect(marked && !refused, "the second change expected pending, which it no longer was")
            try expectEqual(try await store.read { try await $0.rolloutWork(nodeID: "n1") }, [updating])
            try expectEqual(try await store.read { try await $0.rolloutWork(nodeID: "n2") }, [])
            // A rollout's state changes only from the state expected.
            var paused = newer
            paused.state = .paused
            let pausedNow = paused
            let (changed, stale) = try await store.withTransaction { transaction in
                (
                    try await transaction.updateRollout(pausedNow, expecting: .pending),
                    try await transaction.updateRollout(pausedNow, expecting: .pending)
                )
            }
            try expect(changed && !stale, "the second update expected pending")
            try expectEqual(try await store.read { try await $0.rollout(newer.id) }?.state, .paused)
            // Unfinished: the paused one and the pending one.
            try expectEqual(
                try await store.read { try await $0.unfinishedRollouts() }.map(\.id), [older.id, newer.id])
            try await store.withTransaction { transaction in
                try await transaction.upsertRolloutNode(
                    RolloutNode(
                        rolloutID: newer.id, nodeID: "n1", pinned: nil, error: "missing", preparedAt: Fixtures.now))
                try await transaction.upsertRolloutNode(
                    RolloutNode(
                        rolloutID: newer.id, nodeID: "n1", pinned: "img:2@sha256:ab", error: nil,
                        preparedAt: Fixtures.now))
                try await transaction.setAgentRelease("img:1")
                try await transaction.setAgentRelease("img:2")
            }
            try expectEqual(
                try await store.read { try await $0.rolloutNodes(of: newer.id) }.map(\.pinned), ["img:2@sha256:ab"])
            try expectEqual(try await store.read { try await $0.agentRelease() }, "img:2")
        }
    ]
}
