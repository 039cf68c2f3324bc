import Foundation
import SQLiteStore
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// `GET /api/fleet` answered from the view kept for its caller while nothing it shows changed: any write
/// to the store (through the API, by another process, by a collector), a health verdict, a new hour.
@Suite("Fleet view cache")
struct FleetViewCacheTests {
    static func lookups(_ api: APIHarness, _ outcome: String) -> Double {
        api.platform.metrics.counter("zcplatform_fleet_view_cache_total", help: "").value(labels: [outcome])
    }

    static func rows(_ answer: APIResponse) -> [String: [String: Any]] {
        let rows = (answer.json["tenants"] as? [[String: Any]]) ?? []
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as? String ?? "", $0) })
    }

    @Test("kept while unchanged; a write through the API, another process's write and a verdict show at once")
    func keptUntilChanged() async throws {
        let api = try await APIHarness.open()
        defer { Task { await api.close() } }
        try await api.user("root@example.com", admin: true)
        let member = try await api.user("member@example.com")
        let now = Timestamp.now()
        try await api.store.withTransaction { transaction in
            // Enough rows that the body is worth gzipping.
            for id in ["alpha", "bravo"] + (10..<30).map({ "tenant-\($0)" }) {
                try await transaction.insertTenant(
                    Tenant(id: try TenantID(id), name: id.capitalized, plan: "default", status: .draft, createdAt: now))
            }
            try await transaction.setMembership(
                Membership(tenantID: try TenantID("bravo"), userID: member.id, role: .viewer, createdAt: now))
        }
        let root = try await api.signIn("root@example.com")
        let first = await api.call(.get, "/api/fleet", token: root)
        #expect(first.status == 200 && Self.lookups(api, "miss") == 1)
        let second = await api.call(.get, "/api/fleet", token: root)
        #expect(second.text == first.text && second.headers["ETag"] == first.headers["ETag"])
        #expect(Self.lookups(api, "hit") == 1, "the second read of an unchanged fleet is the kept view")

        // Each caller has a view of their own.
        let own = await api.call(.get, "/api/fleet", token: try await api.signIn("member@example.com"))
        #expect(Self.rows(own).keys.sorted() == ["bravo"], "\(own.text)")
        #expect(Self.rows(second).count == 22)

        // A write through the API.
        let deleted = await api.call(.delete, "/api/tenants/tenant-10", token: root)
        #expect((200..<300).contains(deleted.status), "\(deleted.text)")
        #expect(Self.rows(await api.call(.get, "/api/fleet", token: root))["tenant-10"] == nil, "a deleted tenant")

        // A write by another process (a CLI command) on the same file: a collector's snapshot.
        let other = try SQLiteStore(
            options: SQLiteOptions(path: api.directory.file("zcplatform.db")), logger: .disabled)
        try await other.withTransaction {
            try await $0.insertSnapshots([
                ResourceSnapshot(
                    tenantID: try TenantID("bravo"), collectedAt: now, cpuPct: 42, memBytes: 1, memLimit: 2,
                    diskBytes: 3, netIn: 0, netOut: 0, pids: 1)
            ])
        }
        await other.close()
        #expect(Self.rows(await api.call(.get, "/api/fleet", token: root))["bravo"]?["cpu_pct"] as? Double == 42)

        // A verdict of the health checker; a probe that finds the same again keeps the view.
        api.platform.health.set(
            HealthBoard.TenantHealth(checkedAt: now, healthy: false, consecutiveFailures: 1, lastError: "refused"),
            for: try TenantID("alpha"))
        #expect(
            Self.rows(await api.call(.get, "/api/fleet", token: root))["alpha"]?["health"] as? String == "unhealthy")
        let hits = Self.lookups(api, "hit")
        api.platform.health.set(
            HealthBoard.TenantHealth(
                checkedAt: now.adding(seconds: 10), healthy: false, consecutiveFailures: 2, lastError: "refused"),
            for: try TenantID("alpha"))
        _ = await api.call(.get, "/api/fleet", token: root)
        #expect(Self.lookups(api, "hit") == hits + 1, "the same verdict again changes nothing shown")

        // Gzipped once, then kept beside the body.
        let gzip: HTTPHeaders = ["Accept-Encoding": "gzip"]
        let zipped = await api.call(.get, "/api/fleet", token: root, headers: gzip)
        let again = await api.call(.get, "/api/fleet", token: root, headers: gzip)
        #expect(zipped.headers["Content-Encoding"] == "gzip" && again.headers["Content-Encoding"] == "gzip")
        #expect(zipped.text == again.text && zipped.headers["ETag"] == again.headers["ETag"])
        let tag = try #require(again.headers["ETag"])
        #expect(await api.call(.get, "/api/fleet", token: root, headers: ["If-None-Match": tag]).status == 304)
        await api.close()
    }

    @Test("bounded by bytes: the least recently used view goes first; a view larger than the bound is not kept")
    func bounded() {
        let cache = FleetViewCache(maxBytes: 250)
        let at = FleetViewCache.Revisions(store: StoreRevision("1"), verdicts: 0)
        func key(_ user: Int64) -> FleetViewCache.Key { FleetViewCache.Key(userID: user, isSuperAdmin: false, hour: 0) }
        for user: Int64 in 1...2 {
            cache.keep(Array(repeating: 0, count: 100), etag: "\"\(user)\"", for: key(user), at: at)
        }
        #expect(cache.entry(key(1), at: at) != nil, "user 1's view used again")
        cache.keep(Array(repeating: 0, count: 100), etag: "\"3\"", for: key(3), at: at)
        #expect(cache.entry(key(2), at: at) == nil, "the least recently used went")
        #expect(cache.entry(key(1), at: at) != nil && cache.entry(key(3), at: at) != nil && cache.size == 200)
        #expect(cache.entry(key(1), at: FleetViewCache.Revisions(store: StoreRevision("2"), verdicts: 0)) == nil)
        cache.keep(gzipped: Array(repeating: 0, count: 60), for: key(1), at: at)
        #expect(cache.size == 160 && cache.entry(key(3), at: at) == nil, "room made for the gzipped body")
        cache.keep(Array(repeating: 0, count: 300), etag: "\"4\"", for: key(4), at: at)
        #expect(cache.entry(key(4), at: at) == nil && cache.size == 160)
    }

    @Test("bounded in entries: a view for each of thousands of callers keeps at most maxEntries, the newest")
    func boundedInEntries() {
        let cache = FleetViewCache(maxBytes: 64 << 20, maxEntries: 100)
        let at = FleetViewCache.Revisions(store: StoreRevision("1"), verdicts: 0)
        func key(_ user: Int64) -> FleetViewCache.Key { FleetViewCache.Key(userID: user, isSuperAdmin: false, hour: 0) }
        for user: Int64 in 0..<3_000 { cache.keep([1, 2, 3], etag: "\"\(user)\"", for: key(user), at: at) }
        #expect(cache.size == 300, "100 entries of 3 bytes")
        #expect(cache.entry(key(2_999), at: at) != nil && cache.entry(key(2_900), at: at) != nil)
        #expect(cache.entry(key(2_899), at: at) == nil && cache.entry(key(0), at: at) == nil)
    }
}
