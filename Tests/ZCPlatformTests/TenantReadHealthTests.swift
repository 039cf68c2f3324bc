import Foundation
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// `GET /api/tenants/{id}` says how the agent is: the health checker's last probe (a channel in `error`
/// is `degraded`) and whether its usage can be metered; the other tenant answers leave both out.
@Suite("Tenant read: health and metering")
struct TenantReadHealthTests {
    @Test("null before the first probe; degraded with the failing component; unmetered with its reason")
    func healthAndUnmetered() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let acme = try TenantID("acme")
        try await api.store.withTransaction { transaction in
            try await transaction.insertTenant(Tenant(id: acme, name: "Acme", plan: "default", createdAt: .now()))
        }
        let user = try await api.user("viewer@example.com")
        try await api.store.withTransaction {
            try await $0.setMembership(Membership(tenantID: acme, userID: user.id, role: .viewer, createdAt: .now()))
        }
        let token = try await api.signIn("viewer@example.com")

        let before = await api.call(.get, "/api/tenants/acme", token: token)
        #expect(before.status == 200)
        #expect(before.json["health"] is NSNull, "explicitly null before the first probe: \(before.text)")
        #expect(before.json["unmetered"] is NSNull, "\(before.text)")

        let board = api.platform.health
        board.set(
            HealthBoard.TenantHealth(
                checkedAt: .now(), healthy: true, consecutiveFailures: 0, lastError: nil,
                components: [
                    AgentHealth.Component(name: "gateway", status: "ok"),
                    AgentHealth.Component(
                        name: "channel:telegram", status: "error", lastError: "401 Unauthorized", restartCount: 3),
                ]), for: acme)
        _ = board.setUnmetered(
            HealthBoard.Unmetered(since: .now(), reason: "Prometheus backend not enabled"), for: acme)

        let after = await api.call(.get, "/api/tenants/acme", token: token)
        let health = try #require(after.json["health"] as? [String: Any], "\(after.text)")
        #expect(health["state"] as? String == "degraded")
        #expect(health["healthy"] as? Bool == true)
        let components = try #require(health["components"] as? [[String: Any]])
        let failing = components.first { $0["name"] as? String == "channel:telegram" }
        let status = failing?["status"] as? String
        let lastError = failing?["last_error"] as? String
        let restarts = failing?["restart_count"] as? Int
        #expect(status == "error")
        #expect(lastError == "401 Unauthorized")
        #expect(restarts == 3)
        let unmetered = try #require(after.json["unmetered"] as? [String: Any], "\(after.text)")
        #expect(unmetered["reason"] as? String == "Prometheus backend not enabled")
        #expect(unmetered["since"] is String)

        // The list and the status answer are not the detailed read: neither field appears there.
        let list = await api.call(.get, "/api/tenants", token: token)
        let row = try #require(list.array.first, "\(list.text)")
        let keys = Set(row.keys)
        #expect(keys.isDisjoint(with: ["health", "unmetered", "actions"]), "\(list.text)")
    }
}
