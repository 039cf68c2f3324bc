import Foundation
import TestSupport
import Testing
import ZCHTTP

/// Tokens' principals are reused for `auth.token_cache_ms`; a revocation applies at once on the node
/// that made it and, through the store's signal, on the others well within the cache time. Part of the
/// cluster suite, which runs one cluster at a time.
extension ClusterTests {
    @Test("a token revoked through one node is refused there at once, and on another node within the cache time")
    func revocationReachesEveryNode() async throws {
        // A long cache time on n2: only the signal can make it refuse the token within a second or two.
        let cluster = try await TestCluster.start(2, perNode: ["n2": ["ZCPLATFORM_AUTH_TOKEN_CACHE_MS": "5000"]])
        try await cluster.scoped {
            let made = try await cluster.json(
                "n1", .post, "/api/auth/tokens", json: #"{"name":"cached","expires_in_days":1}"#)
            let token = try #require(made["token"] as? String)
            let id = try #require((made["details"] as? [String: Any])?["id"] as? Int)
            func me(_ node: String) async throws -> Int {
                var headers = HTTPHeaders()
                headers.add("Authorization", "Bearer \(token)")
                return try await cluster.client.execute(
                    .get, cluster.member(node).base, "/api/auth/me", headers: headers, timeout: .seconds(10)
                ).status.code
            }
            // Seen on both nodes, so both hold its principal now.
            #expect(try await me("n1") == 200)
            #expect(try await me("n2") == 200)
            #expect(try await me("n2") == 200)
            let revoked = try await cluster.call("n1", .delete, "/api/auth/tokens/\(id)")
            #expect(revoked.status.code == 204)
            #expect(try await me("n1") == 401, "refused at once on the node that revoked it")
            let refused = try await waitUntil(.seconds(3), every: .milliseconds(50)) { try await me("n2") == 401 }
            #expect(refused, "refused on the other node before its 5 s cache time ran out")
        }
    }
}
