import ZCConsole
import ZCCore
import ZCHTTP

/// `GET /api/fleet` (any signed-in user): the fleet table of the tenants the caller may see, in one
/// answer the console refreshes every few seconds. Its `ETag` changes only when a row does (uptime is
/// given as `started_at`), so most refreshes are a `304` of a few bytes; it is gzipped for clients that
/// accept it.
struct FleetController: Sendable {
    let reports: FleetReports
    let authorizer: Authorizer
    /// Whether this node's runtime allows exec (`TenantLifecycle.execAvailable`).
    let execAvailable: Bool
    /// Each caller's view while nothing in it changed; unused for a store without revisions.
    let cache = FleetViewCache()
    /// `zcplatform_fleet_view_cache_total{outcome}`.
    let lookups: Counter?
    /// The store's revisions, when it has them.
    let revisions: (any StoreRevisions)?

    init(reports: FleetReports, authorizer: Authorizer, execAvailable: Bool, metrics: MetricsRegistry? = nil) {
        self.reports = reports
        self.authorizer = authorizer
        self.execAvailable = execAvailable
        revisions = reports.store as? any StoreRevisions
        lookups = metrics?.counter(
            "zcplatform_fleet_view_cache_total",
            help: "GET /api/fleet answered from the view kept since nothing in it changed (hit), or read and "
                + "written again (miss).", labels: ["outcome"])
    }

    func register(in router: inout Router) {
        router.get("/api/fleet", fleet)
    }

    @Sendable func fleet(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try context.caller()
        let now = Timestamp.now()
        let key = FleetViewCache.Key(
            userID: caller.user?.id, isSuperAdmin: caller.isSuperAdmin, hour: now.startOfHour.seconds)
        // Read before the table, so the table is at least as new as what is kept with it.
        var revisions: FleetViewCache.Revisions?
        if let store = try? await self.revisions?.revision() {
            revisions = FleetViewCache.Revisions(store: store, verdicts: reports.health.verdictRevision)
        }
        var entry: FleetViewCache.Entry
        if let revisions, let kept = cache.entry(key, at: revisions) {
            lookups?.increment(labels: ["hit"])
            entry = kept
        } else {
            let bytes = Self.json(try await reports.table(for: caller, now: now), execAvailable: execAvailable)
            let etag = CacheableResponse.etag(of: bytes)
            guard let revisions else {
                return CacheableResponse.make(
                    bytes, contentType: "application/json", request: request, etag: etag,
                    cacheControl: "private, no-cache")
            }
            lookups?.increment(labels: ["miss"])
            entry = cache.keep(bytes, etag: etag, for: key, at: revisions)
        }
        // Compressed once per change, for the first client that asks for it.
        if entry.gzipped == nil, CacheableResponse.accepts(request),
            !CacheableResponse.clientHolds(entry.etag, request), let gzipped = CacheableResponse.compressed(entry.bytes)
        {
            entry.gzipped = gzipped
            cache.keep(gzipped: gzipped, for: key, at: entry.revisions)
        }
        return CacheableResponse.make(
            entry.bytes, contentType: "application/json", request: request, etag: entry.etag,
            gzipped: entry.gzipped, cacheControl: "private, no-cache")
    }

    /// The table as JSON, written directly: `JSONEncoder` takes ~50 ms for 1,000 rows, this well under 1 ms.
    /// Keys sorted, nil fields left out, as `JSONBody` writes every other answer.
    static func json(_ table: FleetTable, execAvailable: Bool) -> [UInt8] {
        var json = JSONWriter(capacity: 400 * table.rows.count + 64)
        json.beginObject()
        json.field("day", utcSeconds: table.day.seconds)
        json.key("tenants")
        json.beginArray()
        // What a caller may do depends on few things (role, status, moving): worked out once for each.
        struct Offer: Hashable {
            let role: TenantRole?
            let status: TenantStatus
            let moving: Bool
        }
        // Each offer's list, and its JSON array, made once.
        var offers: [Offer: (actions: [String], json: [UInt8])] = [:]
        for row in table.rows {
            let tenant = row.tenant
            let offer = Offer(role: row.role, status: tenant.status, moving: tenant.movingTo != nil)
            let actions: (actions: [String], json: [UInt8])
            if let known = offers[offer] {
                actions = known
            } else {
                let names = FleetRowView.actions(row, isSuperAdmin: table.isSuperAdmin, execAvailable: execAvailable)
                var list = JSONWriter(capacity: 256)
                list.beginArray()
                for name in names { list.string(name) }
                list.endArray()
                actions = (names, list.bytes)
                offers[offer] = actions
            }
            let view = FleetRowView(row, actions: actions.actions)
            json.beginObject()
            json.key("actions")
            json.written(actions.json)
            json.field("collected_at", utcSeconds: view.collectedAt?.seconds)
            json.field("cpu_pct", view.cpuPct)
            json.field("disk_bytes", view.diskBytes)
            json.field("health", view.health)
            json.field("healthy", view.healthy)
            json.field("id", view.id)
            json.field("image", view.image)
            json.field("mem_bytes", view.memBytes)
            json.field("mem_limit", view.memLimit)
            json.field("messages_today", view.messagesToday)
            json.field("name", view.name)
            json.field("node", view.node)
            json.field("plan", view.plan)
            json.field("started_at", utcSeconds: view.startedAt?.seconds)
            json.field("status", view.status)
            json.field("tokens_today", view.tokensToday)
            json.field("unmetered", view.unmetered)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}

/// One row of `GET /api/fleet`; `FleetRowView` is also `Encodable`, so a test can check the written JSON
/// against `JSONBody`'s.
struct FleetRowView: Encodable {
    let id: String
    let name: String
    let plan: String
    let status: String
    let node: String?
    /// The agent image it runs (pinned), or will get at its first deploy.
    let image: String?
    /// When the agent entered `running`; null when it is not running.
    let startedAt: Timestamp?
    let cpuPct: Double?
    let memBytes: Int64?
    let memLimit: Int64?
    let diskBytes: Int64?
    let collectedAt: Timestamp?
    let messagesToday: Int64
    let tokensToday: Int64
    /// The last probe's verdict; null before the first, or for a tenant on another node.
    let healthy: Bool?
    /// `healthy`, `degraded` (the agent answers, a part of it reports an error) or `unhealthy`; null
    /// before the first probe, or for a tenant on another node.
    let health: String?
    /// The agent's `/metrics` gives nothing to meter (its usage is not zero, it is unknown).
    let unmetered: Bool
    /// What the caller may ask of the tenant now (`TenantCapability`), as on `GET /api/tenants/{id}`.
    let actions: [String]

    init(_ row: FleetTable.Row, isSuperAdmin: Bool, execAvailable: Bool) {
        self.init(row, actions: Self.actions(row, isSuperAdmin: isSuperAdmin, execAvailable: execAvailable))
    }

    static func actions(_ row: FleetTable.Row, isSuperAdmin: Bool, execAvailable: Bool) -> [String] {
        TenantCapability.offered(
            isSuperAdmin: isSuperAdmin, role: row.role, status: row.tenant.status, moving: row.tenant.movingTo != nil,
            execAvailable: execAvailable
        ).map(\.rawValue)
    }

    init(_ row: FleetTable.Row, actions: [String]) {
        let tenant = row.tenant
        self.actions = actions
        id = tenant.id.rawValue
        name = tenant.name
        plan = tenant.plan
        status = row.status
        node = tenant.nodeID
        image = tenant.image
        startedAt = tenant.status == .running ? tenant.startedAt : nil
        cpuPct = row.snapshot.map { ($0.cpuPct * 100).rounded() / 100 }
        memBytes = row.snapshot?.memBytes
        memLimit = row.snapshot?.memLimit
        diskBytes = row.snapshot?.diskBytes
        collectedAt = row.snapshot?.collectedAt
        messagesToday = row.usage?.messages ?? 0
        tokensToday = row.usage.map { $0.tokensIn + $0.tokensOut } ?? 0
        healthy = row.probe?.healthy
        health = row.probe?.state
        unmetered = row.unmetered != nil
    }
}
