import Foundation
import TestSupport
import Testing
import ZCHTTP

/// `/readyz` apart from `/healthz`: a node whose PostgreSQL is out of reach stays alive but not ready, says
/// why, and every 503 it gives says when to retry. Part of the cluster suite, which runs one cluster at a
/// time.
extension ClusterTests {
    @Test(
        "PostgreSQL out of reach (refused, then silent): /readyz 503 with the reason and Retry-After, /healthz 200, API 503 with Retry-After; ready again once back"
    )
    func readinessFollowsTheStore() async throws {
        let relay = try TCPRelay.toPostgres()
        defer { relay.stop() }
        let cluster = try await TestCluster.start(1, relays: ["n1": relay])
        try await cluster.scoped {
            let probe = { @Sendable (target: String) in await Self.probe(cluster, target) }
            #expect(try await waitUntil(.seconds(10)) { await probe("/readyz").status == 200 })
            let first = await probe("/readyz")
            #expect(first.body["status"] as? String == "ready")

            for cut in [TCPRelay.Cut.refuse, .silence] {
                relay.cut(cut)
                var ready = await probe("/readyz")
                let out = try await waitUntil(.seconds(15), every: .milliseconds(100)) {
                    ready = await probe("/readyz")
                    return ready.status == 503
                }
                #expect(out, "\(cut): not ready within 15 s: \(ready)")
                let reason = ready.body["reason"] as? String ?? ""
                #expect(reason.contains("store"), "\(cut): the reason names the store: \(ready.body)")
                #expect(ready.body["status"] as? String == "not ready")
                #expect(ready.retryAfter == "5", "\(cut): \(ready)")
                let alive = await probe("/healthz").status
                #expect(alive == 200, "\(cut): alive all the same")
                if cut == .refuse {
                    // The principal cache (1 s) ends; the token's read then meets the outage: a 503 that says
                    // when to retry, never a 500.
                    try await Task.sleep(for: .milliseconds(1_200))
                    let api = try await cluster.call("n1", .get, "/api/tenants")
                    #expect(api.status.code == 503, "\(String(decoding: api.body, as: UTF8.self))")
                    #expect(api.headers["Retry-After"] != nil, "\(api.headers)")
                }
                try relay.restore()
                let back = try await waitUntil(.seconds(20), every: .milliseconds(100)) {
                    await probe("/readyz").status == 200
                }
                let now = await probe("/readyz")
                #expect(back, "\(cut): ready again once PostgreSQL is back: \(now)")
            }
            let log = cluster.log(of: "n1")
            #expect(log.contains("event=node.not_ready"), "the change is logged")
            #expect(log.contains("event=node.ready"))
        }
    }

    /// One unauthenticated GET to n1, as a load balancer's probe: status, JSON body, Retry-After.
    static func probe(_ cluster: TestCluster, _ target: String) async -> Probe {
        guard
            let response = try? await cluster.client.execute(
                .get, cluster.member("n1").base, target, timeout: .seconds(5))
        else { return Probe(status: 0, body: [:], retryAfter: nil) }
        let body = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return Probe(status: response.status.code, body: body, retryAfter: response.headers["Retry-After"])
    }

    struct Probe: @unchecked Sendable, CustomStringConvertible {
        let status: Int
        let body: [String: Any]
        let retryAfter: String?
        var description: String { "\(status) \(body) Retry-After: \(retryAfter ?? "-")" }
    }
}
