import Foundation
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// The rules of forwarding on one node over PostgreSQL: a signed mark is trusted (its client address is
/// audited), a forged or stale one refused, a marked request never forwarded again, and a tenant whose
/// node cannot be reached answered with a 503 that names it.
@Suite(
    "Forwarding to the tenant's node", .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
struct TenantForwardingTests {
    @Test(
        "a signed mark's client is audited; a forged or stale mark is a 403; a misdirected mark a 421; an unreachable or down owner a 503"
    )
    func rules() async throws {
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(schema) }
        let live = try await LivePlatform.start(
            ExecAuditTests.quiet.merging([
                "ZCPLATFORM_STORE_DRIVER": "postgres", "ZCPLATFORM_STORE_URL": url,
                // Reconciliation would run the move the test records by hand.
                "ZCPLATFORM_RUNTIME_RECONCILE_INTERVAL_SECONDS": "3600",
            ]) { $1 })
        try await live.scoped {
            let platform = live.api.platform
            let signature = ForwardingSignature(vault: platform.vault)
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"local","name":"Local"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/local/deploy").status == 202)
            try await live.waitFor("local", "running")

            func marked(
                _ method: HTTPMethod, _ target: String, client: String = "198.51.100.9", at: Timestamp = .now()
            )
                throws -> HTTPHeaders
            {
                let request = HTTPRequest(method: method, target: target, headers: [:], body: [])
                var headers = HTTPHeaders()
                for (name, value) in try signature.sign(request, node: "n-peer", clientIP: client, at: at) {
                    headers.add(name, value)
                }
                return headers
            }

            // Signed by a peer: handled here, and the client it names is who the audit log records.
            let stop = await live.api.call(
                .post, "/api/tenants/local/stop", token: live.admin,
                headers: try marked(.post, "/api/tenants/local/stop"))
            #expect(stop.status == 200, "\(stop.text)")
            let events = try await platform.store.read {
                try await $0.auditEvents(AuditQuery(tenantID: "local", action: "tenant.stop"))
            }
            #expect(events.events.first?.clientIP == "198.51.100.9")

            // A mark whose code does not check out, or signed long ago, is refused.
            var forged = try marked(.post, "/api/tenants/local/start")
            forged.set(ForwardingSignature.forHeader, "203.0.113.66")
            let refused = await live.api.call(.post, "/api/tenants/local/start", token: live.admin, headers: forged)
            #expect(refused.status == 403)
            #expect(refused.error?.contains("signature does not check out") == true, "\(refused.text)")
            let stale = await live.api.call(
                .get, "/api/tenants/local/status", token: live.admin,
                headers: try marked(.get, "/api/tenants/local/status", at: Timestamp.now().adding(seconds: -1000)))
            #expect(stale.status == 403)
            let partial = await live.api.call(
                .get, "/api/tenants/local/status", token: live.admin, headers: [ForwardingSignature.byHeader: "n-peer"])
            #expect(partial.status == 403)

            // A tenant moving away: its status still reads, anything else is a 503 with Retry-After, but only
            // for a caller who may see it (no token: 401; not a member: 404).
            try await platform.store.withTransaction { transaction in
                guard var tenant = try await transaction.tenant(try TenantID("local")) else { return }
                tenant.movingTo = "elsewhere"
                try await transaction.updateTenant(tenant)
            }
            let moving = await live.call(.get, "/api/tenants/local/status")
            #expect(moving.status == 200)
            #expect(moving.json["status"] as? String == "moving")
            let busy = await live.call(.post, "/api/tenants/local/start")
            #expect(busy.status == 503)
            #expect(busy.headers["Retry-After"] == "5")
            #expect(busy.error?.contains("is moving to node elsewhere") == true, "\(busy.text)")
            #expect(await live.api.call(.post, "/api/tenants/local/start").status == 401)
            try await live.api.user("outsider@example.com")
            let outsider = try await live.api.signIn("outsider@example.com")
            let hidden = await live.api.call(.post, "/api/tenants/local/start", token: outsider)
            #expect(hidden.status == 404, "\(hidden.text)")
            try await platform.store.withTransaction { transaction in
                guard var tenant = try await transaction.tenant(try TenantID("local")) else { return }
                tenant.movingTo = nil
                try await transaction.updateTenant(tenant)
            }

            // A tenant on a node that does not answer: 503, Retry-After, the node named.
            let closed = FreePort.next()
            try await platform.store.withTransaction { transaction in
                try await transaction.upsertNode(
                    Node(
                        id: "elsewhere", address: "127.0.0.1:\(closed)", version: "test", startedAt: .now(),
                        lastHeartbeat: .now(), expiresAt: Timestamp.now().adding(seconds: 3600)))
                try await transaction.insertTenant(
                    Tenant(
                        id: try TenantID("remote"), name: "Remote", plan: "default", status: .running,
                        nodeID: "elsewhere", createdAt: .now()))
            }
            let unreachable = await live.call(.get, "/api/tenants/remote/status")
            #expect(unreachable.status == 503)
            #expect(unreachable.headers["Retry-After"] == "5")
            #expect(
                unreachable.error?.contains("lives on node elsewhere (127.0.0.1:\(closed)), which does not answer")
                    == true)

            // Where a tenant lives and that its node is away is told to those who may see it.
            #expect(await live.api.call(.get, "/api/tenants/remote/status", token: outsider).status == 404)
            #expect(await live.api.call(.get, "/api/tenants/remote/status").status == 401)

            // Marked as forwarded already: never forwarded a second time; 421 tells the sender to look again.
            let again = await live.api.call(
                .get, "/api/tenants/remote/status", token: live.admin,
                headers: try marked(.get, "/api/tenants/remote/status"))
            #expect(again.status == 421)
            #expect(again.error?.contains("n-peer forwarded this") == true, "\(again.text)")

            // Down: refused without trying it.
            _ = try await platform.store.withTransaction { try await $0.markNodesDown(graceSeconds: -7200) }
            // The nodes' states are reused for a second: the next look sees it down.
            var down = await live.call(.get, "/api/tenants/remote/status")
            let seen = try await waitUntil(.seconds(5), every: .milliseconds(100)) {
                down = await live.call(.get, "/api/tenants/remote/status")
                return down.error?.contains("which is down") == true
            }
            #expect(seen, "\(down.text)")
            #expect(down.status == 503)
            #expect(down.headers["Retry-After"] == "10")
            let metrics = await live.call(.get, "/metrics").text
            #expect(metrics.contains("zcplatform_cluster_forwards_refused_total{reason=\"unreachable\"}"))
            #expect(metrics.contains("zcplatform_cluster_forwards_refused_total{reason=\"down\"}"))
        }
    }
}
