import ZCCore

extension SQLSession {
    static var snapshotColumns: String {
        "s.collected_at, s.cpu_pct, s.mem_bytes, s.mem_limit, s.disk_bytes, s.net_in, s.net_out, s.pids"
    }

    func snapshots(of tenantID: TenantID, from: Timestamp, to: Timestamp) async throws -> [ResourceSnapshot] {
        try await rows(
            """
            SELECT \(raw: Self.snapshotColumns) FROM resource_snapshots s \
            WHERE s.tenant_key = \(tenantKey(tenantID)) AND s.collected_at >= \(from) AND s.collected_at <= \(to) \
            ORDER BY s.collected_at
            """
        ).map { try ResourceSnapshot(row: $0, tenantID: tenantID) }
    }

    func latestSnapshots() async throws -> [ResourceSnapshot] {
        try await rows(
            """
            SELECT t.id AS tenant_id, \(raw: Self.snapshotColumns) FROM tenants t \
            JOIN resource_snapshots s ON s.tenant_key = t.tenant_key \
            WHERE s.collected_at = (SELECT MAX(x.collected_at) FROM resource_snapshots x \
            WHERE x.tenant_key = t.tenant_key) ORDER BY t.id
            """
        ).map { try ResourceSnapshot(row: $0, tenantID: TenantID(trusted: try $0.string("tenant_id"))) }
    }

    func usage(of tenantID: TenantID, from: Timestamp, to: Timestamp) async throws -> [UsageHour] {
        try await rows(
            """
            SELECT hour, messages, tokens_in, tokens_out FROM usage_metrics \
            WHERE tenant_key = \(tenantKey(tenantID)) AND hour >= \(from) AND hour <= \(to) ORDER BY hour
            """
        ).map { row in
            UsageHour(
                tenantID: tenantID, hour: try row.timestamp("hour"), messages: try row.int64("messages"),
                tokensIn: try row.int64("tokens_in"), tokensOut: try row.int64("tokens_out"))
        }
    }
}

extension SQLSession {
    func usageTotals(from: Timestamp, to: Timestamp) async throws -> [UsageTotal] {
        try await rows(
            """
            SELECT t.id AS tenant_id, SUM(u.messages) AS messages, SUM(u.tokens_in) AS tokens_in, \
            SUM(u.tokens_out) AS tokens_out, MAX(u.hour) AS last_hour FROM usage_metrics u \
            JOIN tenants t ON t.tenant_key = u.tenant_key WHERE u.hour >= \(from) AND u.hour <= \(to) \
            GROUP BY t.id ORDER BY t.id
            """
        ).map { row in
            UsageTotal(
                tenantID: TenantID(trusted: try row.string("tenant_id")), messages: try row.int64("messages"),
                tokensIn: try row.int64("tokens_in"), tokensOut: try row.int64("tokens_out"),
                lastHour: try row.optionalInt64("last_hour").map { Timestamp(seconds: $0) })
        }
    }
}

extension SQLWriteSession {
    func insertSnapshots(_ snapshots: [ResourceSnapshot]) async throws -> Int {
        // The last sample of a tenant and time wins, as a replacing upsert would in sequence.
        var latest: [ResourceSnapshot] = []
        var position: [SnapshotKey: Int] = [:]
        for snapshot in snapshots {
            let key = SnapshotKey(tenant: snapshot.tenantID, time: snapshot.collectedAt)
            if let index = position[key] {
                latest[index] = snapshot
            } else {
                position[key] = latest.count
                latest.append(snapshot)
            }
        }
        let size = min(dialect.rowsPerInsert, dialect.maxBinds / 9)
        let chunks = latest.chunked(by: size)
        // Chunks of equal size share one SQL text: they run as one batch of a single prepared statement.
        let full = chunks.prefix { $0.count == size }
        var written = try await runMany(full.map(Self.snapshotInsert))
        for rest in chunks.dropFirst(full.count) { written += try await run(Self.snapshotInsert(rest)) }
        try await foldIntoRollups(latest)
        return written
    }

    /// One statement inserting `chunk` (VALUES names its columns column1… in every dialect); snapshots of
    /// tenants that no longer exist find no join partner and are skipped.
    static func snapshotInsert(_ chunk: ArraySlice<ResourceSnapshot>) -> SQLQuery {
        let upsert: SQLQuery = """
            ON CONFLICT (tenant_key, collected_at) DO UPDATE SET cpu_pct = excluded.cpu_pct, \
            mem_bytes = excluded.mem_bytes, mem_limit = excluded.mem_limit, disk_bytes = excluded.disk_bytes, \
            net_in = excluded.net_in, net_out = excluded.net_out, pids = excluded.pids
            """
        if chunk.count == 1, let snapshot = chunk.first {
            // The cheapest form for one row: no VALUES table to build.
            return """
                INSERT INTO resource_snapshots (tenant_key, collected_at, cpu_pct, mem_bytes, mem_limit, disk_bytes, \
                net_in, net_out, pids) SELECT tenant_key, \(snapshot.collectedAt), \(snapshot.cpuPct), \
                \(snapshot.memBytes), \(snapshot.memLimit), \(snapshot.diskBytes), \(snapshot.netIn), \
                \(snapshot.netOut), \(snapshot.pids) FROM tenants WHERE id = \(snapshot.tenantID) \(upsert)
                """
        }
        var query: SQLQuery = """
            INSERT INTO resource_snapshots (tenant_key, collected_at, cpu_pct, mem_bytes, mem_limit, disk_bytes, \
            net_in, net_out, pids) SELECT t.tenant_key, v.column2, v.column3, v.column4, v.column5, v.column6, \
            v.column7, v.column8, v.column9 FROM (VALUES
            """
        for (index, snapshot) in chunk.enumerated() {
            query += index == 0 ? " (" : ", ("
            query += """
                \(snapshot.tenantID), \(snapshot.collectedAt), \(snapshot.cpuPct), \(snapshot.memBytes), \
                \(snapshot.memLimit), \(snapshot.diskBytes), \(snapshot.netIn), \(snapshot.netOut), \(snapshot.pids))
                """
        }
        return query + ") AS v JOIN tenants t ON t.id = v.column1 WHERE true \(upsert)"
    }

    func addUsage(_ hours: [UsageHour]) async throws {
        try await runMany(
            hours.map { hour in
                """
                INSERT INTO usage_metrics (tenant_key, hour, messages, tokens_in, tokens_out) \
                SELECT tenant_key, \(hour.hour), \(hour.messages), \(hour.tokensIn), \(hour.tokensOut) \
                FROM tenants WHERE id = \(hour.tenantID) \
                ON CONFLICT (tenant_key, hour) DO UPDATE SET messages = usage_metrics.messages + excluded.messages, \
                tokens_in = usage_metrics.tokens_in + excluded.tokens_in, \
                tokens_out = usage_metrics.tokens_out + excluded.tokens_out
                """
            })
    }
}

struct SnapshotKey: Hashable {
    let tenant: TenantID
    let time: Timestamp
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        let step = Swift.max(1, size)
        return stride(from: 0, to: count, by: step).map { self[$0..<Swift.min($0 + step, count)] }
    }
}

extension ResourceSnapshot {
    init(row: SQLRow, tenantID: TenantID) throws {
        self.init(
            tenantID: tenantID, collectedAt: try row.timestamp("collected_at"), cpuPct: try row.double("cpu_pct"),
            memBytes: try row.int64("mem_bytes"), memLimit: try row.int64("mem_limit"),
            diskBytes: try row.int64("disk_bytes"), netIn: try row.int64("net_in"), netOut: try row.int64("net_out"),
            pids: try row.int64("pids"))
    }
}
