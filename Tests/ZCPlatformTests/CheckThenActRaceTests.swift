import Foundation
import TestSupport
import Testing
import ZCCore
import ZCCrypto

@testable import ZCPlatform

/// Requests that check something and then write it, fired in parallel through the API on both stores:
/// PostgreSQL's READ COMMITTED lets two transactions pass the same check unless what is checked is
/// locked (`lockTenant`); SQLite's single writer hides the race. Each invariant must hold on both.
@Suite("Check-then-act races on both stores")
struct CheckThenActRaceTests {
    enum Kind: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    /// A platform on `kind` (PostgreSQL in a schema of its own) with the tenant `acme` and owners A and B.
    struct World {
        let api: APIHarness
        let schema: String?
        let tokens: [String: String]
        let ids: [String: Int64]

        static func make(_ kind: Kind, _ environment: [String: String] = [:]) async throws -> World? {
            var variables = environment
            var schema: String?
            if kind == .postgres {
                guard PostgresTestDatabase.shouldRun else {
                    print("CheckThenActRaceTests on PostgreSQL: \(PostgresTestDatabase.skipMessage)")
                    return nil
                }
                let (name, url) = try PostgresTestDatabase.makeSchema()
                schema = name
                variables["ZCPLATFORM_STORE_DRIVER"] = "postgres"
                variables["ZCPLATFORM_STORE_URL"] = url
                variables["ZCPLATFORM_STORE_POOL_SIZE"] = "12"
            }
            let api = try await APIHarness.open(variables)
            let now = Timestamp.now()
            var tokens: [String: String] = [:]
            var ids: [String: Int64] = [:]
            try await api.store.withTransaction { transaction in
                try await transaction.insertTenant(
                    Tenant(id: TenantID(trusted: "acme"), name: "Acme", plan: "default", createdAt: now))
            }
            for name in ["a", "b"] {
                let user = try await api.user("\(name)@example.com")
                let token = try BearerToken.generate()
                try await api.store.withTransaction { transaction in
                    try await transaction.setMembership(
                        Membership(tenantID: TenantID(trusted: "acme"), userID: user.id, role: .owner, createdAt: now))
                    _ = try await transaction.insertAccessToken(
                        NewAccessToken(
                            userID: user.id, kind: .api, name: "race", tokenHash: token.hash, createdAt: now,
                            expiresAt: now.adding(seconds: 3600)))
                }
                tokens[name] = token.value
                ids[name] = user.id
            }
            return World(api: api, schema: schema, tokens: tokens, ids: ids)
        }

        func close() async {
            await api.close()
            if let schema { PostgresTestDatabase.dropSchema(schema) }
        }

        func owners() async throws -> Int {
            try await api.store.read { try await $0.members(of: TenantID(trusted: "acme")) }
                .filter { $0.role == .owner }.count
        }
    }

    @Test("two owners demoting each other at once: the tenant keeps an owner", arguments: Kind.allCases)
    func lastOwner(_ kind: Kind) async throws {
        guard let world = try await World.make(kind) else { return }
        for _ in 0..<12 {
            for name in ["a", "b"] {
                try await world.api.store.withTransaction { transaction in
                    try await transaction.setMembership(
                        Membership(
                            tenantID: TenantID(trusted: "acme"), userID: world.ids[name]!, role: .owner,
                            createdAt: .now()))
                }
            }
            async let first = world.api.call(
                .patch, "/api/tenants/acme/members/\(world.ids["b"]!)", token: world.tokens["a"],
                json: #"{"role":"manager"}"#)
            async let second = world.api.call(
                .patch, "/api/tenants/acme/members/\(world.ids["a"]!)", token: world.tokens["b"],
                json: #"{"role":"manager"}"#)
            let statuses = [await first.status, await second.status].sorted()
            #expect(try await world.owners() >= 1, "owners left after \(statuses)")
            #expect(statuses.contains(409) || statuses == [200, 403], "one of the two is refused: \(statuses)")
        }
        await world.close()
    }

    @Test("members and channels added at once never pass the plan's limits", arguments: Kind.allCases)
    func planLimits(_ kind: Kind) async throws {
        guard
            let world = try await World.make(
                kind, ["ZCPLATFORM_PLANS_DEFAULT_MAX_MEMBERS": "4", "ZCPLATFORM_PLANS_DEFAULT_MAX_CHANNELS": "3"])
        else { return }
        let token = world.tokens["a"]
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<12 {
                group.addTask {
                    _ = await world.api.call(
                        .post, "/api/tenants/acme/members", token: token,
                        json: #"{"email":"m\#(index)@example.com","role":"viewer"}"#)
                }
                group.addTask {
                    _ = await world.api.call(
                        .post, "/api/tenants/acme/channels", token: token,
                        json: #"{"kind":"webhook","name":"w\#(index)","enabled":false}"#)
                }
            }
        }
        let (members, channels) = try await world.api.store.read { reader in
            (
                try await reader.members(of: TenantID(trusted: "acme")).count,
                try await reader.channels(of: TenantID(trusted: "acme")).count
            )
        }
        #expect(members == 4, "the plan allows 4 members: \(members)")
        #expect(channels == 3, "the plan allows 3 channels: \(channels)")
        await world.close()
    }

    @Test("a rename racing a secret change: the newest secret opens under the channel's name", arguments: Kind.allCases)
    func renameAndSecret(_ kind: Kind) async throws {
        guard let world = try await World.make(kind) else { return }
        let token = world.tokens["a"]
        let created = await world.api.call(
            .post, "/api/tenants/acme/channels", token: token,
            json: #"{"kind":"telegram","name":"c0","secret":"secret-0"}"#)
        let id = try #require(created.json["id"] as? Int)
        for round in 1...10 {
            async let rename = world.api.call(
                .patch, "/api/tenants/acme/channels/\(id)", token: token, json: #"{"name":"c\#(round)"}"#)
            async let change = world.api.call(
                .patch, "/api/tenants/acme/channels/\(id)", token: token, json: #"{"secret":"secret-\#(round)"}"#)
            #expect([await rename.status, await change.status] == [200, 200])
            let channel = try #require(try await world.api.store.read { try await $0.channel(id: Int64(id)) })
            #expect(channel.name == "c\(round)")
            let owner = SecretLocation.channelSecret(of: channel).owner
            let opened = try? world.api.platform.vault.open(try #require(channel.secrets["bot_token"]), owner: owner)
            #expect(opened == "secret-\(round)", "round \(round): the secret opens under the name, and is the newest")
        }
        await world.close()
    }
}
