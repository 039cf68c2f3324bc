import Foundation
import Synchronization
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// The views of thousands of rows: written with the project's JSON writer as `JSONBody` would encode
/// them; health filtered on the server; the tenant list paged by its `Link` header.
@Suite("Fleet views at scale")
struct FleetViewsTests {
    static func parsed(_ bytes: [UInt8]) throws -> NSObject {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) as? NSObject)
    }

    static func same(_ view: some JSONWritable & Encodable, _ comment: Comment? = nil) throws {
        var json = JSONWriter()
        view.write(to: &json)
        let written = try parsed(json.bytes)
        let encoded = try parsed(Array(try JSONBody.encoder().encode(view)))
        #expect(written.isEqual(encoded), "\(String(decoding: json.bytes, as: UTF8.self))")
    }

    @Test("each view written is what JSONBody encodes: with and without its optional parts")
    func writtenAsEncoded() throws {
        let now = Timestamp(seconds: 1_800_000_000)
        let probe = HealthBoard.TenantHealth(
            checkedAt: now, healthy: false, consecutiveFailures: 2, lastError: "connection \"refused\"\n",
            restartedAt: now.adding(seconds: -60),
            components: [
                AgentHealth.Component(name: "gateway", status: "ok"),
                AgentHealth.Component(name: "channel:slack", status: "error", lastError: "401", restartCount: 4),
            ])
        let bare = HealthBoard.TenantHealth(
            checkedAt: now, healthy: true, consecutiveFailures: 0, lastError: nil, components: [])
        let unmetered = HealthBoard.Unmetered(since: now, reason: "Prometheus backend not enabled")
        for (probe, unmetered, uptime, error, node) in [
            (probe, unmetered, Int64(86_400), "boom", "n1"), (bare, nil, nil, nil, nil),
            (nil, unmetered, 0, nil, "n2"),
        ] as [(HealthBoard.TenantHealth?, HealthBoard.Unmetered?, Int64?, String?, String?)] {
            try Self.same(
                MonitoringController.HealthView(
                    tenantId: "acme", name: "Acme \"Corp\" ✓", status: "running", uptime: uptime, errorMessage: error,
                    node: node, health: probe.map(MonitoringController.ProbeView.init),
                    unmetered: unmetered.map(MonitoringController.UnmeteredView.init)))
        }
        let snapshot = ResourceSnapshot(
            tenantID: TenantID(trusted: "acme"), collectedAt: now, cpuPct: 12.345, memBytes: 7 << 20,
            memLimit: 256 << 20, diskBytes: 1 << 30, netIn: 10, netOut: 20, pids: 9)
        try Self.same(
            MonitoringController.FleetResourcesView(
                totals: .init(tenants: 1, cpuPct: 3.0, memBytes: 1, memLimit: 2, diskBytes: 3, pids: 4),
                tenants: [SnapshotView(snapshot), SnapshotView(snapshot)]))
        try Self.same(
            MonitoringController.FleetResourcesView(
                totals: .init(tenants: 0, cpuPct: 0, memBytes: 0, memLimit: 0, diskBytes: 0, pids: 0), tenants: []))
        var tenant = Tenant(
            id: TenantID(trusted: "acme"), name: "Acme", plan: "default", status: .draft, createdAt: now)
        try Self.same(TenantView(tenant))
        tenant.status = .running
        tenant.nodeID = "n1"
        tenant.hostPort = 32_001
        tenant.containerID = "c0ffee"
        tenant.startedAt = now
        tenant.errorMessage = "was: \\ broken"
        tenant.movingTo = "n2"
        try Self.same(TenantView(tenant))
        for (health, unmetered) in [(probe, unmetered), (nil, nil)]
            as [(HealthBoard.TenantHealth?, HealthBoard.Unmetered?)]
        {
            try Self.same(
                TenantView(
                    tenant,
                    detail: TenantView.Detail(actions: [.deploy, .delete], health: health, unmetered: unmetered)))
        }
    }

    @Test("GET /api/monitoring/health?status= filters on the server as the runbook's jq does on the whole array")
    func healthFilter() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let now = Timestamp.now()
        let statuses: [TenantStatus] = [.running, .error, .stopped, .running, .error, .draft]
        try await api.store.withTransaction { transaction in
            try await transaction.upsertNode(
                Node(
                    id: "gone", address: "127.0.0.99:1", version: "1", startedAt: now, lastHeartbeat: now, state: .down)
            )
            for (index, status) in statuses.enumerated() {
                try await transaction.insertTenant(
                    Tenant(
                        id: TenantID(trusted: "t\(index)"), name: "T\(index)", plan: "default", status: status,
                        nodeID: index == 3 ? "gone" : nil, createdAt: now))
            }
        }
        try await api.user("admin@example.com", admin: true)
        let admin = try await api.signIn("admin@example.com")
        let all = await api.call(.get, "/api/monitoring/health", token: admin).array
        #expect(all.count == statuses.count)
        for status in FleetStatus.names {
            let answer = await api.call(.get, "/api/monitoring/health?status=\(status)", token: admin)
            #expect(answer.status == 200)
            let expected = all.filter { $0["status"] as? String == status }.compactMap { $0["tenant_id"] as? String }
            #expect(answer.array.compactMap { $0["tenant_id"] as? String } == expected, "status=\(status)")
        }
        #expect(
            await api.call(.get, "/api/monitoring/health?status=unreachable", token: admin).array.map {
                $0["tenant_id"] as? String
            } == ["t3"])
        let bad = await api.call(.get, "/api/monitoring/health?status=broken", token: admin)
        #expect(bad.status == 400)
        #expect(bad.error?.contains("unreachable") == true, "names what it takes: \(bad.text)")
    }

    @Test(
        "the tenant list pages through 10,000 tenants by its Link header while tenants are created: none twice, none missing"
    )
    func cursorPaging() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        let now = Timestamp.now()
        let existing = (0..<10_000).map { String(format: "tenant-%05d", $0 * 2) }
        try await api.store.withTransaction { transaction in
            for (index, id) in existing.enumerated() {
                try await transaction.insertTenant(
                    Tenant(
                        id: TenantID(trusted: id), name: id, plan: "default",
                        status: index % 3 == 0 ? .running : .stopped, createdAt: now))
            }
        }
        try await api.user("admin@example.com", admin: true)
        let admin = try await api.signIn("admin@example.com")

        // Creates land between the ids being paged through (odd numbers, spread over the range) until the
        // paging is done.
        let creates = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let creator = Task {
            var created: [String] = []
            var step = 0
            while !stop.load(ordering: .acquiring), step < 10_000 {
                let id = String(format: "tenant-%05d", (step * 7_919) % 10_000 * 2 + 1)
                step += 1
                let answer = await api.call(.post, "/api/tenants", token: admin, json: #"{"id":"\#(id)","name":"N"}"#)
                if answer.status == 201 {
                    created.append(id)
                    creates.add(1, ordering: .releasing)
                }
            }
            return created
        }
        func page(_ first: String) async throws -> [String] {
            var seen: [String] = []
            var target: String? = first
            var pages = 0
            while let next = target {
                let answer = await api.call(.get, next, token: admin)
                try #require(answer.status == 200, "\(answer.text)")
                seen += answer.array.compactMap { $0["id"] as? String }
                target = answer.headers["Link"].flatMap(Self.nextLink)
                pages += 1
                try #require(pages <= 100, "the pages end")
                await Task.yield()
            }
            return seen
        }
        while creates.load(ordering: .acquiring) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let before = creates.load(ordering: .acquiring)
        let seen = try await page("/api/tenants?limit=250")
        let during = creates.load(ordering: .acquiring) - before
        stop.store(true, ordering: .releasing)
        let created = await creator.value
        #expect(during > 0, "tenants were created while paging")
        #expect(seen == seen.sorted() && Set(seen).count == seen.count, "in id order, none twice")
        #expect(Set(existing).isSubset(of: Set(seen)), "every tenant there before paging began is on a page")
        #expect(Set(seen).isSubset(of: Set(existing + created)), "nothing that is not a tenant")

        let running = try await page("/api/tenants?limit=400&status=running")
        let expected = existing.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        #expect(running == expected, "the status filter kept across pages")

        let last = await api.call(.get, "/api/tenants?limit=1000&after=tenant-19998", token: admin)
        #expect(last.array.isEmpty && last.headers["Link"] == nil, "past the last tenant: an empty page, no next")
        let short = await api.call(.get, "/api/tenants?limit=1000&after=tenant-19000", token: admin)
        #expect(short.array.count < 1000 && short.headers["Link"] == nil, "a short page is the last")
    }

    /// The target of `<…>; rel="next"`.
    static func nextLink(_ header: String) -> String? {
        guard header.hasSuffix("; rel=\"next\""), header.hasPrefix("<"), let end = header.firstIndex(of: ">") else {
            return nil
        }
        return String(header[header.index(after: header.startIndex)..<end])
    }
}
