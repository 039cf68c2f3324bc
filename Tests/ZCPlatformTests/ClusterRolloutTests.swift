import Foundation
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// A rollout across three `zcplatform serve` processes sharing PostgreSQL (process runtime: the agent
/// command is the image), with its leader killed mid-rollout: the next leader goes on from the store,
/// the dead node's tenants wait (and the rollout says so) until it returns and finishes their updates.
@Suite(
    "Agent rollouts in a cluster", .serialized,
    .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
struct ClusterRolloutTests {
    @Test(
        "the leader killed with SIGKILL mid-rollout: it resumes and completes, each tenant updated once, never two agents, data kept"
    )
    func leaderKilled() async throws {
        let cluster = try await TestCluster.start(3)
        try await cluster.scoped {
            let nodes = ["n1", "n2", "n3"]
            var placed: [(id: String, node: String)] = []
            for node in nodes {
                for index in 1...2 {
                    let id = "cro-\(node)-\(index)"
                    try await cluster.deploy(id, on: node, through: "n1")
                    placed.append((id, node))
                }
            }
            for (id, node) in placed {
                try Data("marker of \(id)\n".utf8).write(
                    to: URL(fileURLWithPath: cluster.directory.file("\(node)/tenants/\(id)/marker")))
            }
            let image = "\(AgentSimulator.executable) daemon"
            let started = try await cluster.json(
                "n2", .post, "/api/rollouts",
                json: #"{"image":"\#(image)","canary":1,"batch_size":2,"health_seconds":3}"#)
            let rollout = try #require(started["id"] as? String, "\(started)")
            func read(asking node: String) async throws -> [String: Any] {
                try await cluster.json(node, .get, "/api/rollouts/\(rollout)")
            }
            // The canary passed and the next batch is under way: the leader dies.
            #expect(
                try await waitUntil(.seconds(60), every: .milliseconds(100)) {
                    let counts = try await read(asking: "n1")["counts"] as? [String: Int] ?? [:]
                    return (counts["healthy"] ?? 0) >= 1 && (counts["updating"] ?? 0) >= 1
                })
            let leader = try #require(try await cluster.leader(asking: "n1"))
            let other = nodes.first { $0 != leader }!
            cluster.signal(leader, SIGKILL)
            _ = await cluster.reap(leader)
            // Another node leads and goes on; the dead node's unfinished tenants wait, and it says so.
            let deadTenants = Set(placed.filter { $0.node == leader }.map(\.id))
            var sawWaiting = false
            var seen: [String: Any] = [:]
            #expect(
                try await waitUntil(.seconds(60), every: .milliseconds(200)) {
                    let now = try await read(asking: other)
                    seen = now
                    let rows = now["tenants"] as? [[String: Any]] ?? []
                    let unsettledDead = rows.filter {
                        deadTenants.contains($0["id"] as? String ?? "")
                            && !["healthy", "failed", "rolled_back"].contains($0["state"] as? String ?? "")
                    }
                    if (now["waiting"] as? Int ?? 0) > 0 { sawWaiting = true }
                    let others = rows.filter { !deadTenants.contains($0["id"] as? String ?? "") }
                    // Everything the live nodes can do is done: only the dead node's tenants are left.
                    return others.allSatisfy { $0["state"] as? String == "healthy" }
                        && (unsettledDead.isEmpty || sawWaiting)
                }, "\(seen)")
            #expect(try await cluster.leader(asking: other) != leader)
            try await cluster.startNode(leader)
            let finished = try await waitForState(["completed", "rolled_back", "failed"], of: rollout, cluster, other)
            #expect(finished["state"] as? String == "completed", "\(finished)")
            #expect(finished["done"] as? Int == placed.count, "\(finished)")
            for (id, node) in placed {
                let tenant = try await cluster.json(other, .get, "/api/tenants/\(id)")
                let pinned = tenant["image"] as? String ?? ""
                #expect(
                    pinned.hasPrefix("\(AgentSimulator.executable)@sha256:") && pinned.hasSuffix(" daemon"),
                    "\(id): \(pinned)")
                #expect(
                    try await waitUntil(.seconds(30)) {
                        try await cluster.json(other, .get, "/api/tenants/\(id)/status")["status"] as? String
                            == "running"
                    }, "\(id)")
                let marker = try? String(
                    contentsOfFile: cluster.directory.file("\(node)/tenants/\(id)/marker"), encoding: .utf8)
                #expect(marker == "marker of \(id)\n", "\(id) lost its data")
            }
            // Each tenant was updated once: one `rollout.tenant_updated` each.
            let audit = try await cluster.json(
                other, .get, "/api/monitoring/audit?action=rollout.tenant_updated&limit=100")
            let updated = (audit["events"] as? [[String: Any]] ?? []).compactMap { $0["tenant_id"] as? String }
            #expect(updated.sorted() == placed.map(\.id).sorted(), "\(updated)")
        }
    }

    func waitForState(
        _ states: Set<String>, of rollout: String, _ cluster: TestCluster, _ node: String
    ) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        _ = try await waitUntil(.seconds(120), every: .milliseconds(200)) {
            last = try await cluster.json(node, .get, "/api/rollouts/\(rollout)")
            return states.contains(last["state"] as? String ?? "")
        }
        return last
    }
}
