import Foundation
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// PostgreSQL restarted under load: clients create tenants through every node while the server restarts
/// (`pg_ctl restart -m fast`). Every acknowledged create is in the database, every answer meanwhile is a
/// 201 or a 503 that says when to retry (never a 500, never a hang), and every node is back, ready and not
/// fenced, within a beat of the server. Part of the cluster suite, which runs one cluster at a time; the
/// server is the test's own, so the other suites' server never stops.
extension ClusterTests {
    @Test(
        "pg_ctl restart -m fast while clients create tenants through three nodes: every 201 kept, only 201s and 503s with Retry-After, every node back"
    )
    func databaseRestartUnderCreates() async throws {
        guard PrivatePostgres.available || ProcessInfo.processInfo.environment["CI"] == "true" else { return }
        try await PrivatePostgres.using { try await restartUnderCreates($0) }
    }

    func restartUnderCreates(_ postgres: PrivatePostgres) async throws {
        let cluster = try await TestCluster.start(3, postgres: postgres.url)
        let invariants = cluster.invariants
        try await cluster.scoped {
            let load = CreateLoad.start(cluster, invariants, nodes: ["n1", "n2", "n3"])
            try await Task.sleep(for: .seconds(1))
            let restartedAt = ContinuousClock.now
            try await postgres.restart()
            let upAfter = ContinuousClock.now - restartedAt
            // Every node ready again within a beat or two of the server.
            let ready = try await cluster.allReady(within: .seconds(10))
            let readyAfter = ContinuousClock.now - restartedAt
            #expect(ready, "every node ready again (the server was back after \(upAfter))")
            try await Task.sleep(for: .seconds(2))
            let seen = await load.finish()
            // Every acknowledged create is in the database: scoped checks it with the invariants.
            for node in ["n1", "n2", "n3"] {
                #expect(!cluster.log(of: node).contains("event=node.fenced"), "\(node) never fenced")
            }
            #expect(try await cluster.allActive(within: .seconds(10)), "every node active")
            print("database restart: server back after \(upAfter), every node ready after \(readyAfter); \(seen)")
        }
    }
}
