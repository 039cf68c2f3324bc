import Foundation
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// A token a load balancer polls `GET /api/cluster/routes` with: made by a super-admin, good for that
/// route alone.
@Suite("API tokens scoped to the cluster's routes")
struct RoutesTokenTests {
    @Test("a routes token reads the routes and nothing else, makes no tokens; only a super-admin makes one")
    func routesOnly() async throws {
        let api = try await APIHarness.open()
        try await api.user("root@example.com", admin: true)
        try await api.user("member@example.com")
        let admin = try await api.signIn("root@example.com")
        let created = await api.call(
            .post, "/api/auth/tokens", token: admin, json: #"{"name":"traefik","scope":"routes"}"#)
        #expect(created.status == 201, "\(created.text)")
        #expect((created.json["details"] as? [String: Any])?["scope"] as? String == "routes")
        let token = try #require(created.json["token"] as? String)

        #expect(await api.call(.get, "/api/cluster/routes", token: token).status == 200)
        #expect(await api.call(.get, "/api/cluster/routes?format=haproxy", token: token).status == 200)
        for (method, path) in [
            (HTTPMethod.get, "/api/tenants"), (.get, "/api/cluster/nodes"), (.get, "/api/auth/me"),
            (.post, "/api/tenants"),
        ] {
            let refused = await api.call(method, path, token: token, json: method == .post ? "{}" : nil)
            #expect(refused.status == 403, "\(path): \(refused.text)")
            #expect(refused.error?.contains("scope (routes)") == true)
        }
        let minted = await api.call(.post, "/api/auth/tokens", token: token, json: #"{"name":"more"}"#)
        #expect(minted.status == 403)

        let member = try await api.signIn("member@example.com")
        let refused = await api.call(
            .post, "/api/auth/tokens", token: member, json: #"{"name":"lb","scope":"routes"}"#)
        #expect(refused.status == 403, "\(refused.text)")
        let unknown = await api.call(
            .post, "/api/auth/tokens", token: admin, json: #"{"name":"x","scope":"everything"}"#)
        #expect(unknown.status == 422)
        #expect(unknown.error?.contains("scope: must be one of routes") == true, "\(unknown.text)")
        // Listed with its scope; the audit record names it.
        let listed = await api.call(.get, "/api/auth/tokens", token: admin).array
        #expect(listed.contains { $0["name"] as? String == "traefik" && $0["scope"] as? String == "routes" })
        await api.close()
    }
}
