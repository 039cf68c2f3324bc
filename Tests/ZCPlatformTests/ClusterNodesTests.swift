import Foundation
import TestSupport
import Testing
import ZCCore

/// `GET /api/cluster/nodes` and `zcplatform cluster status` on a running node: it records itself by the
/// database's clock, leads, and a node that stopped beating is marked down by the leader.
@Suite("Cluster nodes")
struct ClusterNodesTests {

    @Test("the node lists itself active and leading; a node that stopped beating is marked down by the leader")
    func nodes() async throws {
        let live = try await LivePlatform.start([
            "ZCPLATFORM_CLUSTER_HEARTBEAT_SECONDS": "1", "ZCPLATFORM_CLUSTER_NODE_DOWN_SECONDS": "1",
            "ZCPLATFORM_CLUSTER_LEADER_RENEW_SECONDS": "1", "ZCPLATFORM_CLUSTER_LEADER_LEASE_SECONDS": "5",
            "ZCPLATFORM_CLUSTER_MEMORY_CAPACITY": "8GiB", "ZCPLATFORM_ALERTS_EVALUATION_SECONDS": "1",
        ])
        try await live.scoped {
            let me = live.api.platform.configuration.cluster.nodeID
            // A node that beat once, long ago: the leader marks it down.
            let now = Timestamp.now()
            try await live.api.platform.store.withTransaction { transaction in
                try await transaction.upsertNode(
                    Node(
                        id: "gone", address: "127.0.0.99:8080", version: "0.0.1", startedAt: now.adding(seconds: -600),
                        lastHeartbeat: now.adding(seconds: -300), expiresAt: now.adding(seconds: -299)))
            }
            var body: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                body = await live.call(.get, "/api/cluster/nodes").json
                let nodes = body["nodes"] as? [[String: Any]] ?? []
                let leading = (body["leader"] as? [String: Any])?["node"] as? String
                if leading == me, nodes.first(where: { $0["id"] as? String == "gone" })?["state"] as? String == "down" {
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            let nodes = body["nodes"] as? [[String: Any]] ?? []
            let mine = try #require(nodes.first { $0["id"] as? String == me }, "\(body)")
            #expect(mine["state"] as? String == "active")
            #expect(mine["leader"] as? Bool == true)
            #expect(mine["memory_capacity"] as? Int == 8 << 30)
            #expect((mine["heartbeat_age_seconds"] as? Int ?? 99) <= 3, "beating: \(mine)")
            #expect((body["leader"] as? [String: Any])?["term"] as? Int == 1)
            let gone = try #require(nodes.first { $0["id"] as? String == "gone" })
            #expect(gone["state"] as? String == "down", "marked down by the leader: \(gone)")
            #expect(gone["leader"] as? Bool == false)
            // The line is logged after the beat's transaction commits: the API can show the node down a
            // moment before the log says so.
            #expect(
                try await waitUntil(.seconds(5)) {
                    live.logs.renderedLines().contains { $0.contains("event=node.down") && $0.contains("node=gone") }
                })
            // The gauges are set after the beat's transaction commits, so the API can show the node down a
            // moment before /metrics does.
            var metrics = ""
            let counted = try await waitUntil(.seconds(5)) {
                metrics = await live.call(.get, "/metrics").text
                return metrics.contains("zcplatform_cluster_nodes{state=\"down\"} 1")
            }
            #expect(counted, "\(metrics)")
            #expect(metrics.contains("zcplatform_cluster_is_leader 1"))

            // The leader fires NodeDown once, and resolves it once when the node beats again.
            func events(_ name: String) -> Int {
                live.logs.renderedLines().filter { $0.contains("event=\(name)") && $0.contains("alert=NodeDown") }.count
            }
            #expect(try await waitUntil(.seconds(10)) { events("alert.firing") == 1 }, "NodeDown fired")
            try await Task.sleep(for: .seconds(2))
            #expect(events("alert.firing") == 1, "once, not at every evaluation")
            let back = Node(
                id: "gone", address: "127.0.0.99:8080", version: "0.0.1", startedAt: now, lastHeartbeat: now)
            _ = try await live.api.platform.store.withTransaction { try await $0.heartbeat(back, ttlSeconds: 60) }
            #expect(try await waitUntil(.seconds(10)) { events("alert.resolved") == 1 }, "resolved when back")
            #expect(events("alert.firing") == 1)
        }
    }

    @Test("the node's own alerts are evaluated while it serves: a failed backup fires BackupFailed")
    func nodeAlertsRun() async throws {
        let live = try await LivePlatform.start(["ZCPLATFORM_ALERTS_EVALUATION_SECONDS": "1"])
        try await live.scoped {
            try await live.api.platform.store.withTransaction { transaction in
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: .now(), actor: "cli", action: "backup",
                        detail: ["outcome": .string("failed"), "error": .string("disk full")]))
            }
            let fired = try await waitUntil(.seconds(10)) {
                live.logs.renderedLines().contains {
                    $0.contains("event=alert.firing") && $0.contains("alert=BackupFailed")
                }
            }
            #expect(fired, "the evaluator runs in the platform's service group")
            let firing = await live.call(.get, "/api/monitoring/alerts").array
            #expect(firing.contains { $0["alertname"] as? String == "BackupFailed" }, "\(firing)")
        }
    }
}
