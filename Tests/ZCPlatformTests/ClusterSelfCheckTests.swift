import Foundation
import TestSupport
import Testing
import ZCHTTP

/// What a node checks of itself at start: that its advertised address reaches it, and that its vault key
/// is the other nodes'. Part of the cluster suite, which runs one cluster at a time.
extension ClusterTests {
    @Test(
        "a node advertising another node's address, with another vault key, says both at start and in GET /api/cluster/nodes"
    )
    func selfCheckAtStart() async throws {
        let n1Port = FreePort.next()
        let directory = try TemporaryDirectory("zc-other-key")
        defer { directory.remove() }
        // n2 copied n1's address, in URL form, and was given a vault key file of its own.
        let cluster = try await TestCluster.start(
            2,
            perNode: [
                "n2": [
                    "ZCPLATFORM_CLUSTER_ADVERTISE_ADDRESS": "http://127.0.0.11:\(n1Port)/",
                    "ZCPLATFORM_VAULT_KEY_PATH": directory.file("vault.key"),
                ]
            ], ports: [n1Port])
        try await cluster.scoped {
            var nodes: [[String: Any]] = []
            func node(_ id: String) -> [String: Any] { nodes.first { $0["id"] as? String == id } ?? [:] }
            func check(_ id: String) -> [String: Any] { node(id)["address_check"] as? [String: Any] ?? [:] }
            let checked = try await waitUntil(.seconds(15), every: .milliseconds(200)) {
                nodes = try await cluster.json("n1", .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
                return check("n1")["state"] as? String == "ok" && check("n2")["state"] as? String == "failed"
            }
            #expect(checked, "\(nodes)")
            #expect(node("n2")["address"] as? String == "127.0.0.11:\(n1Port)", "kept as host:port: \(node("n2"))")
            #expect(
                (check("n2")["error"] as? String)?.contains("answered by another process") == true, "\(check("n2"))")
            #expect(check("n1")["error"] == nil && check("n1")["checked_at"] is String, "\(check("n1"))")
            #expect(node("n1")["vault_key_matches"] as? Bool == true)
            #expect(node("n2")["vault_key_matches"] as? Bool == false, "\(node("n2"))")
            let n1Key = try #require(node("n1")["vault_key"] as? String)
            #expect(n1Key.hasPrefix("v1:") && n1Key.count == 19, "a fingerprint, not a key: \(n1Key)")
            #expect(node("n2")["vault_key"] as? String != n1Key)

            let n2Log = cluster.log(of: "n2")
            let said = n2Log.split(separator: "\n").filter { $0.contains("event=cluster.") }.joined(separator: "\n")
            #expect(said.contains("event=cluster.advertise") && said.contains("written=http://127.0.0.11:"), "\(said)")
            #expect(said.contains("event=cluster.address_unreachable") && said.contains("level=error"), "\(said)")
            #expect(said.contains("event=cluster.vault_key_mismatch") && said.contains("n1=\(n1Key)"), "\(said)")
            #expect(!cluster.log(of: "n1").contains("event=cluster.address_unreachable"))
            #expect(cluster.log(of: "n1").contains("event=cluster.address_checked"))
        }
    }
}
