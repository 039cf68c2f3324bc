import Foundation
import TestSupport
import Testing
import ZCHTTP

/// A PostgreSQL failover under load: the nodes' `store.url` names a primary and its synchronous standby
/// in libpq's multi-host form with `target_session_attrs=read-write`; the primary crashes
/// (`pg_ctl stop -m immediate`), the standby is promoted as Patroni would, and the nodes find it by
/// themselves. Every acknowledged create is on the new primary (synchronous replication loses none),
/// every answer meanwhile is a 201 or a 503 with Retry-After, the agents ran once each throughout, and
/// every node is ready and active again. Part of the cluster suite, which runs one cluster at a time.
extension ClusterTests {
    @Test(
        "the primary crashes and its synchronous standby is promoted under creates: the nodes carry on through the multi-host store.url, every 201 kept"
    )
    func databaseFailoverUnderCreates() async throws {
        guard PrivatePostgres.available || ProcessInfo.processInfo.environment["CI"] == "true" else { return }
        try await PrivatePostgres.using { primary in
            try await primary.usingStandby { standby in try await failoverUnderCreates(primary, standby) }
        }
    }

    func failoverUnderCreates(_ primary: PrivatePostgres, _ standby: PrivatePostgres) async throws {
        let url =
            "postgres://postgres@127.0.0.1:\(primary.port),127.0.0.1:\(standby.port)/zcplatform_test?target_session_attrs=read-write"
        let cluster = try await TestCluster.start(3, postgres: url)
        let invariants = cluster.invariants
        try await cluster.scoped {
            try await cluster.deploy("fo-a", on: "n2", through: "n1")
            try await cluster.deploy("fo-b", on: "n3", through: "n1")
            let load = CreateLoad.start(cluster, invariants, nodes: ["n1", "n2", "n3"])
            try await Task.sleep(for: .seconds(1))
            let crashedAt = ContinuousClock.now
            try await primary.crash()
            // The time a failover manager takes to decide the primary is gone.
            try await Task.sleep(for: .seconds(2))
            try await standby.promote()
            let promotedAfter = ContinuousClock.now - crashedAt
            let ready = try await cluster.allReady(within: .seconds(20))
            let readyAfter = ContinuousClock.now - crashedAt
            #expect(ready, "every node ready on the new primary (promoted after \(promotedAfter))")
            try await Task.sleep(for: .seconds(2))
            let seen = await load.finish()

            // Every acknowledged create is in the database: scoped checks it with the invariants.
            #expect(try await cluster.allActive(within: .seconds(15)), "every node active")
            // The agents: running again where they were, one each, never two at once.
            #expect(
                try await waitUntil(.seconds(20)) {
                    let census = invariants.census()
                    return census["fo-a"] == ["n2"] && census["fo-b"] == ["n3"]
                }, "one agent each, on its node: \(invariants.census())")
            #expect(invariants.polls > 20, "the census ran throughout: \(invariants.polls) polls")
            let tenant = try await cluster.json("n1", .get, "/api/tenants/fo-a")
            #expect(tenant["status"] as? String == "running", "\(tenant)")
            print("database failover: promoted after \(promotedAfter), every node ready after \(readyAfter); \(seen)")
        }
    }
}
