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

    @Test(
        "a super-admin demoted through one node loses the role there at once, and on another node within the cache time"
    )
    func roleChangeReachesEveryNode() async throws {
        let cluster = try await TestCluster.start(
            2, environment: ["ZCPLATFORM_AUTH_PRINT_LOGIN_CODES": "true"],
            perNode: ["n2": ["ZCPLATFORM_AUTH_TOKEN_CACHE_MS": "5000"]])
        try await cluster.scoped {
            let made = try await cluster.json(
                "n1", .post, "/api/users", json: #"{"email":"second@example.com","is_super_admin":true}"#)
            let id = try #require(made["id"] as? Int, "\(made)")
            // The second admin signs in by code (printed on n1's stderr in this test, never logged).
            let requested = try await cluster.call(
                "n1", .post, "/api/auth/otp/request", json: #"{"email":"second@example.com"}"#)
            #expect(requested.status.code == 202)
            var code: String?
            _ = try await waitUntil(.seconds(10)) {
                code = cluster.log(of: "n1").components(separatedBy: "Your login code is ").last.flatMap {
                    $0.count < 8 ? nil : String($0.prefix(while: \.isNumber))
                }
                return code?.isEmpty == false
            }
            let login = try #require(code, "no login code on n1's stderr")
            let verified = try await cluster.json(
                "n1", .post, "/api/auth/otp/verify", json: #"{"email":"second@example.com","code":"\#(login)"}"#)
            let token = try #require(verified["token"] as? String, "\(verified)")
            func users(_ node: String) async throws -> Int {
                var headers = HTTPHeaders()
                headers.add("Authorization", "Bearer \(token)")
                return try await cluster.client.execute(
                    .get, cluster.member(node).base, "/api/users", headers: headers, timeout: .seconds(10)
                ).status.code
            }
            // A super-admin's call on both nodes: both hold the principal now.
            #expect(try await users("n1") == 200)
            #expect(try await users("n2") == 200)
            #expect(try await users("n2") == 200)
            let demoted = try await cluster.call("n1", .patch, "/api/users/\(id)", json: #"{"is_super_admin":false}"#)
            #expect(demoted.status.code == 200)
            #expect(try await users("n1") == 403, "refused at once on the node that changed the role")
            let refused = try await waitUntil(.seconds(3), every: .milliseconds(50)) { try await users("n2") == 403 }
            #expect(refused, "refused on the other node before its 5 s cache time ran out")
        }
    }
}
