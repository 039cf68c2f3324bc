import Foundation
import Testing
import ZCCore
import ZCCrypto
import ZCHTTP

@testable import ZCPlatform

/// Every API route × every kind of caller, against the minimum roles PRODUCT.md lists. Each pair runs
/// on a fresh platform, so a destructive call cannot change what the next caller sees.
@Suite("Access matrix: every route, every role")
struct AccessMatrixTests {
    enum Caller: String, CaseIterable, Sendable {
        case superAdmin, owner, manager, contributor, viewer, nonMember, noToken, expiredToken, revokedToken
    }

    enum Need: Sendable {
        case anyUser, superAdmin
        case role(TenantRole)
    }

    struct Route: Sendable, CustomTestStringConvertible {
        let method: HTTPMethod
        let path: String
        let body: String?
        let need: Need

        var testDescription: String { "\(method) \(path)" }
    }

    /// Every route of the API (the OpenAPI test checks this list against the router).
    static let routes: [Route] = [
        Route(method: .get, path: "/api/auth/me", body: nil, need: .anyUser),
        Route(method: .post, path: "/api/auth/logout", body: nil, need: .anyUser),
        Route(method: .get, path: "/api/auth/tokens", body: nil, need: .anyUser),
        Route(method: .post, path: "/api/auth/tokens", body: #"{"name":"t"}"#, need: .anyUser),
        Route(method: .delete, path: "/api/auth/tokens/{own-token}", body: nil, need: .anyUser),
        Route(method: .get, path: "/api/users", body: nil, need: .superAdmin),
        Route(method: .post, path: "/api/users", body: #"{"email":"new@example.com"}"#, need: .superAdmin),
        Route(method: .patch, path: "/api/users/{viewer}", body: #"{"is_disabled":true}"#, need: .superAdmin),
        Route(method: .delete, path: "/api/users/{viewer}", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/tenants", body: nil, need: .anyUser),
        Route(method: .get, path: "/api/fleet", body: nil, need: .anyUser),
        Route(method: .post, path: "/api/tenants", body: #"{"id":"fresh","name":"Fresh"}"#, need: .superAdmin),
        Route(method: .get, path: "/api/tenants/acme", body: nil, need: .role(.viewer)),
        Route(method: .delete, path: "/api/tenants/acme", body: nil, need: .role(.owner)),
        Route(method: .get, path: "/api/tenants/acme/status", body: nil, need: .role(.viewer)),
        Route(method: .post, path: "/api/tenants/acme/deploy", body: nil, need: .role(.manager)),
        Route(method: .post, path: "/api/tenants/acme/start", body: nil, need: .role(.manager)),
        Route(method: .post, path: "/api/tenants/acme/stop", body: nil, need: .role(.manager)),
        Route(method: .post, path: "/api/tenants/acme/restart", body: nil, need: .role(.manager)),
        Route(method: .get, path: "/api/tenants/acme/logs?tail=10", body: nil, need: .role(.viewer)),
        Route(
            method: .post, path: "/api/tenants/acme/exec", body: #"{"command":"zeroclaw status"}"#,
            need: .role(.manager)),
        Route(method: .get, path: "/api/tenants/acme/config", body: nil, need: .role(.viewer)),
        Route(method: .patch, path: "/api/tenants/acme/config", body: #"{"model":"m"}"#, need: .role(.manager)),
        Route(method: .get, path: "/api/tenants/acme/members", body: nil, need: .role(.viewer)),
        Route(
            method: .post, path: "/api/tenants/acme/members",
            body: #"{"email":"outsider@example.com","role":"viewer"}"#,
            need: .role(.owner)),
        Route(
            method: .patch, path: "/api/tenants/acme/members/{viewer}", body: #"{"role":"contributor"}"#,
            need: .role(.owner)),
        Route(method: .delete, path: "/api/tenants/acme/members/{viewer}", body: nil, need: .role(.owner)),
        Route(method: .get, path: "/api/tenants/acme/channels", body: nil, need: .role(.viewer)),
        Route(
            method: .post, path: "/api/tenants/acme/channels",
            body: #"{"kind":"webhook","name":"hook","secret":"hmac-1"}"#,
            need: .role(.manager)),
        Route(
            method: .patch, path: "/api/tenants/acme/channels/{channel}", body: #"{"enabled":false}"#,
            need: .role(.manager)),
        Route(method: .delete, path: "/api/tenants/acme/channels/{channel}", body: nil, need: .role(.manager)),
        Route(method: .get, path: "/api/monitoring/dashboard", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/monitoring/health", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/monitoring/audit", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/monitoring/resources", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/monitoring/alerts", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/monitoring/usage", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/cluster/nodes", body: nil, need: .superAdmin),
        Route(method: .get, path: "/api/cluster/routes", body: nil, need: .superAdmin),
        Route(method: .post, path: "/api/cluster/nodes/{node}/drain", body: nil, need: .superAdmin),
        Route(method: .post, path: "/api/cluster/nodes/{node}/undrain", body: nil, need: .superAdmin),
        Route(method: .post, path: "/api/tenants/acme/move", body: #"{"node":"elsewhere"}"#, need: .superAdmin),
        Route(method: .get, path: "/api/tenants/acme/resources", body: nil, need: .role(.viewer)),
        Route(method: .get, path: "/api/tenants/acme/usage", body: nil, need: .role(.viewer)),
        Route(method: .patch, path: "/api/tenants/acme", body: #"{"name":"Acme Renamed"}"#, need: .role(.manager)),
        Route(method: .get, path: "/api/rollouts", body: nil, need: .superAdmin),
        Route(
            method: .post, path: "/api/rollouts", body: #"{"image":"zcagent-sim:next","tenants":["acme"]}"#,
            need: .superAdmin),
        Route(method: .get, path: "/api/rollouts/{rollout}", body: nil, need: .superAdmin),
        Route(method: .post, path: "/api/rollouts/{rollout}/pause", body: nil, need: .superAdmin),
        Route(method: .post, path: "/api/rollouts/{rollout}/resume", body: nil, need: .superAdmin),
        Route(method: .post, path: "/api/rollouts/{rollout}/abort", body: nil, need: .superAdmin),
    ]

    /// The rollout the `{rollout}` routes name: paused, so each of pause, resume and abort has an answer.
    static let rolloutID = "ro-0123456789ab"

    static let ranks: [Caller: Int] = [.viewer: 0, .contributor: 1, .manager: 2, .owner: 3]
    static let roleRank: [TenantRole: Int] = [.viewer: 0, .contributor: 1, .manager: 2, .owner: 3]

    /// The answer class the product specification requires for `caller` on `route`.
    static func expected(_ caller: Caller, _ route: Route) -> String {
        switch caller {
        case .noToken, .expiredToken, .revokedToken: return "401"
        case .superAdmin: return "allowed"
        default: break
        }
        switch route.need {
        case .anyUser: return "allowed"
        case .superAdmin: return "403"
        case .role(let needed):
            guard let rank = ranks[caller] else { return "404" }  // not a member: the tenant is invisible
            return rank >= (roleRank[needed] ?? 9) ? "allowed" : "403"
        }
    }

    static let pairs: [(Route, Caller)] = routes.flatMap { route in Caller.allCases.map { (route, $0) } }

    @Test("allowed exactly where PRODUCT.md allows; 401, 403 or 404 otherwise", arguments: pairs)
    func access(_ route: Route, _ caller: Caller) async throws {
        let world = try await World.make()
        defer { Task { await world.api.close() } }
        let path = route.path.replacingOccurrences(of: "{viewer}", with: String(world.viewerID))
            .replacingOccurrences(of: "{channel}", with: String(world.channelID))
            .replacingOccurrences(of: "{own-token}", with: String(world.tokenIDs[caller] ?? 1))
            .replacingOccurrences(of: "{node}", with: world.api.platform.configuration.cluster.nodeID)
            .replacingOccurrences(of: "{rollout}", with: Self.rolloutID)
        if route.path.contains("{rollout}") {
            try await world.api.store.withTransaction {
                try await $0.insertRollout(
                    Rollout(
                        id: Self.rolloutID, image: "zcagent-sim:next", state: .paused, canary: 1, batchSize: 1,
                        healthSeconds: 1, maxFailures: 1, pauseAfterCanary: false, wholeFleet: true,
                        createdBy: "test", createdAt: .now()),
                    tenants: [])
            }
        }
        if route.path.contains("{node}") {
            // The node records itself when its services run; this platform's do not.
            let node = world.api.platform.configuration.cluster.nodeID
            try await world.api.store.withTransaction {
                try await $0.upsertNode(
                    Node(id: node, address: "127.0.0.1:1", version: "test", startedAt: .now(), lastHeartbeat: .now()))
            }
        }
        let response = await world.api.call(route.method, path, token: world.tokens[caller], json: route.body)
        let want = Self.expected(caller, route)
        switch want {
        case "allowed":
            #expect(
                ![401, 403, 404].contains(response.status),
                "\(caller) \(route.method) \(path): \(response.status) \(response.text)")
            #expect(
                response.status < 500,
                "\(response.text): \(world.logs.renderedLines().filter { $0.contains("level=error") })")
        default:
            #expect(
                String(response.status) == want,
                "\(caller) \(route.method) \(path): \(response.status) \(response.text)")
        }
        await world.api.close()
    }

    @Test("members list only their tenants; another tenant's data is invisible")
    func isolation() async throws {
        let world = try await World.make()
        let listed = await world.api.call(.get, "/api/tenants", token: world.tokens[.viewer])
        #expect((listed.array.map { $0["id"] as? String }) == ["acme"])
        let all = await world.api.call(.get, "/api/tenants", token: world.tokens[.superAdmin])
        #expect(Set(all.array.compactMap { $0["id"] as? String }) == ["acme", "other"])
        for path in [
            "/api/tenants/other", "/api/tenants/other/channels", "/api/tenants/other/config",
            "/api/tenants/other/members",
        ] {
            #expect(await world.api.call(.get, path, token: world.tokens[.owner]).status == 404, "\(path)")
        }
        await world.api.close()
    }

    /// Two tenants; a user for each role in `acme`; an outsider; tokens of every kind.
    struct World {
        let api: APIHarness
        /// The platform's log, so an unexpected 500 can say what happened behind its request id.
        var logs = InMemoryLogHandler()
        var tokens: [Caller: String] = [:]
        var tokenIDs: [Caller: Int64] = [:]
        var viewerID: Int64 = 0
        var channelID: Int64 = 0

        static func make() async throws -> World {
            let logs = InMemoryLogHandler()
            let api = try await APIHarness.open(logs: logs)
            var world = World(api: api, logs: logs)
            let now = Timestamp.now()
            let acme = TenantID(trusted: "acme")
            let users = try await api.store.withTransaction { transaction -> [Caller: User] in
                for id in ["acme", "other"] {
                    try await transaction.insertTenant(
                        Tenant(id: TenantID(trusted: id), name: id, plan: "default", createdAt: now))
                }
                var users: [Caller: User] = [:]
                for caller in Caller.allCases where caller != .noToken {
                    users[caller] = try await transaction.insertUser(
                        try NewUser(
                            email: "\(caller.rawValue)@example.com", isSuperAdmin: caller == .superAdmin, createdAt: now
                        ))
                }
                _ = try await transaction.insertUser(try NewUser(email: "outsider@example.com", createdAt: now))
                for (caller, role) in [
                    (Caller.owner, TenantRole.owner), (.manager, .manager), (.contributor, .contributor),
                    (.viewer, .viewer),
                ] {
                    if let user = users[caller] {
                        try await transaction.setMembership(
                            Membership(tenantID: acme, userID: user.id, role: role, createdAt: now))
                    }
                }
                // A second owner, so removing or demoting members never hits the last-owner rule.
                let spare = try await transaction.insertUser(try NewUser(email: "spare@example.com", createdAt: now))
                try await transaction.setMembership(
                    Membership(tenantID: acme, userID: spare.id, role: .owner, createdAt: now))
                return users
            }
            world.viewerID = users[.viewer]?.id ?? 0
            for (caller, user) in users {
                let token = try BearerToken.generate()
                let expired = caller == .expiredToken
                let hash = token.hash
                let stored = try await api.store.withTransaction {
                    try await $0.insertAccessToken(
                        NewAccessToken(
                            userID: user.id, kind: .api, name: "matrix", tokenHash: hash,
                            createdAt: Timestamp(seconds: 1000),
                            expiresAt: expired ? Timestamp(seconds: 2000) : now.adding(seconds: 3600)))
                }
                if caller == .revokedToken {
                    try await api.store.withTransaction { try await $0.revokeAccessToken(id: stored.id, at: now) }
                }
                world.tokens[caller] = token.value
                world.tokenIDs[caller] = stored.id
            }
            let channel = try await api.store.withTransaction {
                try await $0.insertChannel(
                    NewChannel(tenantID: acme, kind: "webhook", name: "existing", createdAt: now))
            }
            world.channelID = channel.id
            return world
        }
    }
}

extension AccessMatrixTests.Caller: CustomTestStringConvertible {
    var testDescription: String { rawValue }
}
