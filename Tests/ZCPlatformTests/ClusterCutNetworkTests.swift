import Foundation
import TestSupport
import Testing
import ZCHTTP

/// A node cut off from PostgreSQL and from its peers while its process lives: it stops its agents within
/// the fence time, before the others could count it down, and runs them again, one each, once the link is
/// back. Part of the cluster suite, which runs one cluster at a time.
extension ClusterTests {
    @Test(
        "a node cut from PostgreSQL and its peers (silent links): fenced before it is down, back with one agent per tenant"
    )
    func cutNetworkFences() async throws {
        // n2 reaches PostgreSQL through one relay and is reached by n1 through another (its advertised
        // address): both cut at once, silently, as a pulled cable would.
        let ports = [FreePort.next(), FreePort.next()]
        let database = try TCPRelay.toPostgres(host: "127.0.0.1")
        defer { database.stop() }
        let peers = TCPRelay(
            host: "127.0.0.22", port: FreePort.next(), upstreamHost: "127.0.0.12", upstreamPort: ports[1])
        try peers.start()
        defer { peers.stop() }
        let fenceSeconds = 3
        let cluster = try await TestCluster.start(
            2,
            perNode: [
                "n2": [
                    "ZCPLATFORM_CLUSTER_SELF_FENCE_SECONDS": String(fenceSeconds),
                    "ZCPLATFORM_CLUSTER_ADVERTISE_ADDRESS": "127.0.0.22:\(peers.port)",
                ]
            ], ports: ports, relays: ["n2": database])
        let invariants = cluster.invariants
        try await cluster.scoped {
            #expect(try await waitUntil(.seconds(20)) { try await cluster.leader(asking: "n1") == "n1" }, "n1 leads")
            try await cluster.deploy("cut-a", on: "n2", through: "n1")
            try await cluster.deploy("cut-b", on: "n2", through: "n1")
            #expect(invariants.census()["cut-a"] == ["n2"] && invariants.census()["cut-b"] == ["n2"])

            database.cut(.silence)
            peers.cut(.silence)
            let cutAt = ContinuousClock.now
            // Fenced: no agent of n2's runs, within the fence time and the stop's own.
            let stopped = try await waitUntil(.seconds(15), every: .milliseconds(50)) {
                let census = invariants.census()
                return census["cut-a"] == nil && census["cut-b"] == nil
            }
            let fencedAfter = ContinuousClock.now - cutAt
            #expect(stopped, "n2's agents stop while it is cut off: \(invariants.census())")
            #expect(fencedAfter < .seconds(fenceSeconds + 3), "within the fence time: \(fencedAfter)")
            #expect(cluster.log(of: "n2").contains("event=node.fenced"))
            // n2 itself answers, but is not ready.
            let ready = try await cluster.client.execute(
                .get, cluster.member("n2").base, "/readyz", timeout: .seconds(5))
            #expect(ready.status.code == 503, "\(String(decoding: ready.body, as: UTF8.self))")
            // Only then do the others count it down (its beat's life and node_down_seconds after its last).
            var downAfter: Duration?
            while downAfter == nil, ContinuousClock.now - cutAt < .seconds(20) {
                if try await Self.state(of: "n2", asking: "n1", cluster) == "down" {
                    downAfter = ContinuousClock.now - cutAt
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(downAfter != nil, "n1 marks n2 down")
            if let downAfter { #expect(fencedAfter < downAfter, "fenced (\(fencedAfter)) before down (\(downAfter))") }
            // Through n1, n2's tenant is unreachable, not an error nor a hang.
            #expect(try await cluster.shownStatus(of: "cut-a", asking: "n1") == "unreachable")

            // The link returns after the fence time: n2 rejoins and runs its tenants again, one agent each.
            let held = .seconds(fenceSeconds + 3) - (ContinuousClock.now - cutAt)
            if held > .zero { try await Task.sleep(for: held) }
            try database.restore()
            try peers.restore()
            let back = try await waitUntil(.seconds(40), every: .milliseconds(200)) {
                let census = invariants.census()
                return census["cut-a"] == ["n2"] && census["cut-b"] == ["n2"]
            }
            #expect(back, "n2's agents run again: \(invariants.census()) \(cluster.log(of: "n2").suffix(3000))")
            #expect(cluster.log(of: "n2").contains("event=node.unfenced"))
            #expect(
                try await waitUntil(.seconds(20), every: .milliseconds(200)) {
                    try await Self.state(of: "n2", asking: "n1", cluster) == "active"
                }, "n2 active again")
            #expect(
                try await waitUntil(.seconds(20), every: .milliseconds(200)) {
                    try await cluster.shownStatus(of: "cut-a", asking: "n1") == "running"
                }, "running again, seen through n1")
            #expect(invariants.polls > 20, "the census ran throughout: \(invariants.polls) polls")
            #expect(invariants.doubleAgents.isEmpty, "never two agents at once: \(invariants.doubleAgents.prefix(3))")
        }
    }

    /// A node's state as another node's `GET /api/cluster/nodes` shows it.
    static func state(of node: String, asking: String, _ cluster: TestCluster) async throws -> String? {
        let nodes = try await cluster.json(asking, .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
        return nodes.first { $0["id"] as? String == node }?["state"] as? String
    }
}
