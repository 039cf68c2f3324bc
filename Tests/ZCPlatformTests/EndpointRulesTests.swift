import Foundation
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// The rules behind the endpoints: plan limits, owners, invitations, channel kinds, PATCH semantics,
/// the audit query, the status machine's guards.
@Suite("Endpoint rules")
struct EndpointRulesTests {
    /// A super-admin session and a tenant `acme` whose owner is `owner@example.com`.
    func setUp(_ environment: [String: String] = [:]) async throws -> (APIHarness, admin: String, owner: String) {
        let api = try await APIHarness.open(environment)
        try await api.user("root@example.com", admin: true)
        let admin = try await api.signIn("root@example.com")
        #expect(
            await api.call(.post, "/api/tenants", token: admin, json: #"{"id":"acme","name":"Acme"}"#).status == 201)
        #expect(
            await api.call(
                .post, "/api/tenants/acme/members", token: admin, json: #"{"email":"owner@example.com","role":"owner"}"#
            ).status == 201)
        let owner = try await api.signIn("owner@example.com")
        return (api, admin, owner)
    }

    @Test("tenants: id and plan rules; a taken id is a conflict; a new tenant is a draft with null uptime")
    func tenants() async throws {
        let (api, admin, _) = try await setUp()
        #expect(
            await api.call(.post, "/api/tenants", token: admin, json: #"{"id":"acme","name":"Again"}"#).status == 409)
        #expect(await api.call(.post, "/api/tenants", token: admin, json: #"{"id":"Bad_Id","name":"x"}"#).status == 422)
        let plan = await api.call(.post, "/api/tenants", token: admin, json: #"{"id":"beta","name":"B","plan":"gold"}"#)
        #expect(plan.status == 422 && plan.error?.contains("unknown plan 'gold'") == true)
        let status = await api.call(.get, "/api/tenants/acme/status", token: admin)
        #expect(status.text == #"{"error_message":null,"port":null,"status":"draft","uptime":null}"#)
        await api.close()
    }

    @Test("lifecycle actions: the status machine answers 409 before anything else happens")
    func guards() async throws {
        let (api, admin, _) = try await setUp()
        let stop = await api.call(.post, "/api/tenants/acme/stop", token: admin)
        #expect(stop.status == 409)
        #expect(stop.error == "cannot stop a tenant in status 'draft' (allowed from: running)")
        #expect(await api.call(.post, "/api/tenants/acme/start", token: admin).status == 409)
        #expect(await api.call(.get, "/api/tenants/acme/logs?tail=5000", token: admin).status == 400)
        #expect(await api.call(.get, "/api/tenants/acme/logs", token: admin).status == 409)
        #expect(await api.call(.post, "/api/tenants/acme/exec", token: admin, json: #"{"argv":[]}"#).status == 422)
        let slow = await api.call(
            .post, "/api/tenants/acme/exec", token: admin, json: #"{"argv":["zeroclaw"],"timeout_seconds":100000}"#)
        #expect(slow.status == 422)
        let notRunning = await api.call(
            .post, "/api/tenants/acme/exec", token: admin, json: #"{"command":"zeroclaw status"}"#)
        #expect(notRunning.status == 409)
        #expect(notRunning.error == "exec needs a running agent; tenant 'acme' is draft")
        let deploy = await api.call(.post, "/api/tenants/acme/deploy", token: admin)
        #expect(deploy.status == 202)
        #expect(deploy.text.contains(#""status":"deploying""#))
        #expect(await api.call(.post, "/api/tenants/acme/deploy", token: admin).status == 409)
        await api.close()
    }

    @Test("members: invitation by email, plan limit, and the last owner stays")
    func members() async throws {
        let (api, _, owner) = try await setUp(["ZCPLATFORM_PLANS_DEFAULT_MAX_MEMBERS": "3"])
        let invited = await api.call(
            .post, "/api/tenants/acme/members", token: owner,
            json: #"{"email":"New.Person@Example.com","role":"viewer"}"#)
        #expect(invited.status == 201)
        #expect(invited.array.contains { $0["email"] as? String == "new.person@example.com" })
        #expect(try await api.store.user(email: "new.person@example.com") != nil, "the invitation created the user")
        #expect(
            await api.call(
                .post, "/api/tenants/acme/members", token: owner,
                json: #"{"email":"new.person@example.com","role":"viewer"}"#
            )
            .status == 409, "already a member")
        #expect(
            await api.call(
                .post, "/api/tenants/acme/members", token: owner,
                json: #"{"email":"third@example.com","role":"viewer"}"#
            )
            .status == 201)
        let full = await api.call(
            .post, "/api/tenants/acme/members", token: owner, json: #"{"email":"fourth@example.com","role":"viewer"}"#)
        #expect(full.status == 409 && full.error == "plan 'default' allows at most 3 members")
        let ownerID = try #require(try await api.store.user(email: "owner@example.com")?.id)
        let demote = await api.call(
            .patch, "/api/tenants/acme/members/\(ownerID)", token: owner, json: #"{"role":"manager"}"#)
        #expect(demote.status == 409 && demote.error?.contains("last owner") == true)
        #expect(await api.call(.delete, "/api/tenants/acme/members/\(ownerID)", token: owner).status == 409)
        await api.close()
    }

    @Test("channels: kinds and their settings, plan limit, rename keeps the secret, null rules")
    func channels() async throws {
        let (api, _, owner) = try await setUp(["ZCPLATFORM_PLANS_DEFAULT_MAX_CHANNELS": "2"])
        let unknownKind = await api.call(
            .post, "/api/tenants/acme/channels", token: owner, json: #"{"kind":"fax","name":"f"}"#)
        #expect(unknownKind.status == 422 && unknownKind.error?.contains("telegram") == true)
        let missingSecret = await api.call(
            .post, "/api/tenants/acme/channels", token: owner, json: #"{"kind":"telegram","name":"t"}"#)
        #expect(missingSecret.error == "secrets.bot_token: is required for telegram channels")
        let badSetting = await api.call(
            .post, "/api/tenants/acme/channels", token: owner,
            json: #"{"kind":"telegram","name":"t","secret":"s","settings":{"guild_id":"1"}}"#)
        #expect(badSetting.status == 422 && badSetting.error?.contains("settings.guild_id") == true)
        let created = await api.call(
            .post, "/api/tenants/acme/channels", token: owner, json: #"{"kind":"telegram","name":"t","secret":"tok-1"}"#
        )
        #expect(created.status == 201)
        #expect(
            await api.call(
                .post, "/api/tenants/acme/channels", token: owner, json: #"{"kind":"telegram","name":"t","secret":"x"}"#
            ).status == 409)
        #expect(
            await api.call(
                .post, "/api/tenants/acme/channels", token: owner,
                json: #"{"kind":"webhook","name":"w","secret":"hmac-1"}"#
            )
            .status == 201)
        let limit = await api.call(
            .post, "/api/tenants/acme/channels", token: owner,
            json: #"{"kind":"webhook","name":"w2","secret":"hmac-1"}"#)
        #expect(limit.status == 409 && limit.error == "plan 'default' allows at most 2 channels")
        let id = try #require(created.json["id"] as? Int)
        let renamed = await api.call(
            .patch, "/api/tenants/acme/channels/\(id)", token: owner, json: #"{"name":"support"}"#)
        #expect(renamed.status == 200 && renamed.json["name"] as? String == "support")
        let channel = try #require(try await api.store.read { try await $0.channel(id: Int64(id)) })
        #expect(channel.name == "support")
        let owner2 = SecretLocation.channelSecret(of: channel).owner
        #expect(
            try api.platform.vault.open(try #require(channel.secrets["bot_token"]), owner: owner2) == "tok-1",
            "re-sealed under the new name")
        #expect(
            await api.call(.patch, "/api/tenants/acme/channels/\(id)", token: owner, json: #"{"secret":null}"#).status
                == 422)
        #expect(
            await api.call(.patch, "/api/tenants/acme/channels/\(id)", token: owner, json: #"{"name":null}"#).status
                == 422)
        #expect(
            await api.call(.patch, "/api/tenants/acme/channels/999", token: owner, json: #"{"enabled":false}"#).status
                == 404)
        await api.close()
    }

    @Test("one enabled channel of a kind: a second is a conflict when made, not when the agent starts")
    func oneEnabledChannelPerKind() async throws {
        let (api, _, owner) = try await setUp()
        let first = await api.call(
            .post, "/api/tenants/acme/channels", token: owner,
            json: #"{"kind":"webhook","name":"w1","secret":"hmac-1"}"#)
        #expect(first.status == 201)
        let second = await api.call(
            .post, "/api/tenants/acme/channels", token: owner,
            json: #"{"kind":"webhook","name":"w2","secret":"hmac-1"}"#)
        #expect(second.status == 409)
        #expect(second.error?.contains("already has an enabled webhook channel ('w1')") == true, "\(second.text)")
        let disabled = await api.call(
            .post, "/api/tenants/acme/channels", token: owner,
            json: #"{"kind":"webhook","name":"w2","secret":"hmac-2","enabled":false}"#)
        #expect(disabled.status == 201)
        let id = try #require(disabled.json["id"] as? Int)
        let enable = await api.call(
            .patch, "/api/tenants/acme/channels/\(id)", token: owner, json: #"{"enabled":true}"#)
        #expect(enable.status == 409, "\(enable.text)")
        let firstID = try #require(first.json["id"] as? Int)
        #expect(
            await api.call(.patch, "/api/tenants/acme/channels/\(firstID)", token: owner, json: #"{"enabled":false}"#)
                .status == 200)
        #expect(
            await api.call(.patch, "/api/tenants/acme/channels/\(id)", token: owner, json: #"{"enabled":true}"#)
                .status == 200, "with the first disabled, the second may be")
        await api.close()
    }

    @Test("config: absent fields stay, null clears, the key reads back only as api_key_set")
    func config() async throws {
        let (api, _, owner) = try await setUp()
        let empty = await api.call(.get, "/api/tenants/acme/config", token: owner)
        #expect(empty.text == #"{"api_key_set":false,"model":null,"provider":null,"settings":{},"updated_at":null}"#)
        let set = await api.call(
            .patch, "/api/tenants/acme/config", token: owner,
            json:
                #"{"provider":"openrouter","model":"anthropic/claude","api_key":"sk-1","settings":{"temperature":0.5}}"#
        )
        #expect(set.json["api_key_set"] as? Bool == true)
        let partial = await api.call(.patch, "/api/tenants/acme/config", token: owner, json: #"{"model":null}"#)
        #expect(partial.json["provider"] as? String == "openrouter", "absent stays")
        #expect(partial.json["model"] is NSNull, "null clears")
        #expect(partial.json["api_key_set"] as? Bool == true)
        let cleared = await api.call(.patch, "/api/tenants/acme/config", token: owner, json: #"{"api_key":null}"#)
        #expect(cleared.json["api_key_set"] as? Bool == false)
        #expect(
            await api.call(.patch, "/api/tenants/acme/config", token: owner, json: #"{"provider":"bad provider"}"#)
                .status == 422)
        await api.close()
    }

    @Test("audit query: filters, pages of the asked size, newest first")
    func audit() async throws {
        let (api, admin, owner) = try await setUp()
        for index in 0..<5 {
            _ = await api.call(
                .post, "/api/tenants/acme/channels", token: owner,
                json: #"{"kind":"webhook","name":"w\#(index)","enabled":false}"#)
        }
        let page = await api.call(.get, "/api/monitoring/audit?action=channel.create&limit=2", token: admin)
        #expect(page.status == 200)
        let events = (page.json["events"] as? [[String: Any]]) ?? []
        #expect(events.count == 2)
        #expect(
            events.allSatisfy {
                $0["action"] as? String == "channel.create" && $0["actor"] as? String == "owner@example.com"
            })
        let cursor = try #require(page.json["next_cursor"] as? Int)
        let next = await api.call(
            .get, "/api/monitoring/audit?action=channel.create&limit=2&cursor=\(cursor)", token: admin)
        let nextIDs = ((next.json["events"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? Int }
        #expect(nextIDs.count == 2 && nextIDs.allSatisfy { $0 < cursor })
        let byTenant = await api.call(.get, "/api/monitoring/audit?tenant=acme&limit=1000", token: admin)
        #expect(
            ((byTenant.json["events"] as? [[String: Any]]) ?? []).count >= 7, "tenant.create, member.add, 5 channels")
        #expect(await api.call(.get, "/api/monitoring/audit?since=yesterday", token: admin).status == 400)
        let future = await api.call(.get, "/api/monitoring/audit?since=2999-01-01T00:00:00Z", token: admin)
        #expect(future.text == #"{"events":[],"next_cursor":null}"#)
        await api.close()
    }

    @Test("users: a super-admin cannot delete or disable themselves")
    func users() async throws {
        let (api, admin, _) = try await setUp()
        let me = try #require(try await api.store.user(email: "root@example.com"))
        #expect(await api.call(.delete, "/api/users/\(me.id)", token: admin).status == 409)
        #expect(
            await api.call(.patch, "/api/users/\(me.id)", token: admin, json: #"{"is_disabled":true}"#).status == 409)
        let created = await api.call(
            .post, "/api/users", token: admin, json: #"{"email":"staff@example.com","is_super_admin":true}"#)
        #expect(created.status == 201 && created.json["is_super_admin"] as? Bool == true)
        #expect(
            await api.call(.post, "/api/users", token: admin, json: #"{"email":"staff@example.com"}"#).status == 409)
        await api.close()
    }
}
