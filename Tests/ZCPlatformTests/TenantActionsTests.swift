import Foundation
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// `actions` on `GET /api/tenants/{id}` and on the fleet rows: for every role and every status, each
/// action not offered is refused by the API (403 or 409), and the offered ones are accepted.
@Suite("Tenant actions: what the API offers is what it accepts")
struct TenantActionsTests {
    /// The call behind each capability.
    static func call(_ capability: TenantCapability) -> (HTTPMethod, String, String?) {
        let base = "/api/tenants/acme"
        return switch capability {
        case .deploy: (.post, "\(base)/deploy", nil)
        case .start: (.post, "\(base)/start", nil)
        case .stop: (.post, "\(base)/stop", nil)
        case .restart: (.post, "\(base)/restart", nil)
        case .delete: (.delete, base, nil)
        case .exec: (.post, "\(base)/exec", #"{"command":"zeroclaw status"}"#)
        case .changeConfig: (.patch, "\(base)/config", #"{"model":"m"}"#)
        case .changeChannels: (.post, "\(base)/channels", #"{"kind":"webhook","name":"hook","secret":"hmac-1"}"#)
        case .manageMembers: (.post, "\(base)/members", #"{"email":"outsider@example.com","role":"viewer"}"#)
        }
    }

    @Test("every role × every status: an action left out is refused, and fleet rows say the same")
    func refusedWhenNotOffered() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let roles: [(String, TenantRole?)] = [
            ("root", nil), ("owner", .owner), ("manager", .manager), ("contributor", .contributor),
            ("viewer", .viewer),
        ]
        let acme = try TenantID("acme")
        try await api.store.withTransaction { transaction in
            try await transaction.insertTenant(Tenant(id: acme, name: "Acme", plan: "default", createdAt: .now()))
        }
        try await api.user("outsider@example.com")
        var tokens: [String: String] = [:]
        for (name, role) in roles {
            let user = try await api.user("\(name)@example.com", admin: role == nil)
            if let role {
                try await api.store.withTransaction {
                    try await $0.setMembership(
                        Membership(tenantID: acme, userID: user.id, role: role, createdAt: .now()))
                }
            }
            tokens[name] = try await api.signIn("\(name)@example.com")
        }
        for status in [TenantStatus.draft, .deploying, .running, .stopped, .error] {
            try await api.store.withTransaction { transaction in
                guard var tenant = try await transaction.tenant(acme) else { return }
                tenant.status = status
                try await transaction.updateTenant(tenant)
            }
            for (name, _) in roles {
                let token = tokens[name]
                let read = await api.call(.get, "/api/tenants/acme", token: token)
                #expect(read.status == 200)
                let actions = try #require(read.json["actions"] as? [String], "\(name) \(status): \(read.text)")
                let row = (await api.call(.get, "/api/fleet", token: token).json["tenants"] as? [[String: Any]])?
                    .first { $0["id"] as? String == "acme" }
                #expect(row?["actions"] as? [String] == actions, "the fleet row offers what the tenant read does")
                for capability in TenantCapability.allCases where !actions.contains(capability.rawValue) {
                    let (method, path, body) = Self.call(capability)
                    let answer = await api.call(method, path, token: token, json: body)
                    #expect(
                        [403, 409].contains(answer.status),
                        "\(name) on a \(status) tenant: \(capability) is not offered, yet \(answer.status) \(answer.text)"
                    )
                }
            }
        }
        // Offered is accepted: the changes any manager may make, and the lifecycle from draft.
        try await api.store.withTransaction { transaction in
            guard var tenant = try await transaction.tenant(acme) else { return }
            tenant.status = .draft
            try await transaction.updateTenant(tenant)
        }
        let manager = tokens["manager"]
        let offered = await api.call(.get, "/api/tenants/acme", token: manager).json["actions"] as? [String]
        #expect(offered == ["deploy", "change_config", "change_channels"])
        for capability in [TenantCapability.changeConfig, .changeChannels] {
            let (method, path, body) = Self.call(capability)
            let answer = await api.call(method, path, token: manager, json: body)
            #expect((200..<300).contains(answer.status), "\(capability): \(answer.status) \(answer.text)")
        }
        let (method, path, body) = Self.call(.manageMembers)
        #expect((200..<300).contains(await api.call(method, path, token: tokens["owner"], json: body).status))
        #expect(await api.call(.post, "/api/tenants/acme/deploy", token: manager).status == 202)
    }
}
