import ZCCore

extension SQLSession {
    func snapshotBuckets(
        of tenantID: TenantID, from: Timestamp, to: Timestamp, bucketSeconds: Int64
    ) async throws
        -> [ResourceBucket]
    {
        let bucket = max(1, bucketSeconds)
        var aggregates = ""
        for metric in ResourceBucket.metrics {
            aggregates += ", SUM(CAST(\(metric) AS DOUBLE PRECISION)) AS \(metric)_sum"
            aggregates += ", MIN(\(metric)) AS \(metric)_min, MAX(\(metric)) AS \(metric)_max"
        }
        return try await rows(
            """
            SELECT (collected_at - \(from)) / \(bucket) AS bucket, COUNT(*) AS samples\(raw: aggregates), \
            MAX(mem_limit) AS mem_limit_max FROM resource_snapshots \
            WHERE tenant_key = \(tenantKey(tenantID)) AND collected_at >= \(from) AND collected_at < \(to) \
            GROUP BY 1 ORDER BY 1
            """
        ).map { row in
            try ResourceBucket(row: row, start: from.adding(seconds: try row.int64("bucket") * bucket))
        }
    }

    func hourlyResources(of tenantID: TenantID, from: Timestamp, to: Timestamp) async throws -> [ResourceBucket] {
        try await rows(
            """
            SELECT hour, samples, \(raw: ResourceRollup.columns.joined(separator: ", ")), mem_limit_max \
            FROM resource_rollups WHERE tenant_key = \(tenantKey(tenantID)) AND hour >= \(from) AND hour < \(to) \
            ORDER BY hour
            """
        ).map { try ResourceBucket(row: $0, start: try $0.timestamp("hour")) }
    }
}

extension SQLWriteSession {
    /// Adds the snapshots to their hours' roll-ups: one upsert per tenant and hour, the sums added and
    /// the extremes widened.
    func foldIntoRollups(_ snapshots: [ResourceSnapshot]) async throws {
        let rollups = ResourceRollup.rollups(of: snapshots)
        let width = 1 + 2 + ResourceRollup.columns.count + 1
        let size = min(dialect.rowsPerInsert, dialect.maxBinds / width)
        let chunks = rollups.chunked(by: size)
        let full = chunks.prefix { $0.count == size }
        try await runMany(full.map { rollupUpsert($0) })
        for rest in chunks.dropFirst(full.count) { try await run(rollupUpsert(rest)) }
    }

    private func rollupUpsert(_ chunk: ArraySlice<ResourceRollup>) -> SQLQuery {
        let columns = ["hour", "samples"] + ResourceRollup.columns + ["mem_limit_max"]
        var updates = ["samples = resource_rollups.samples + excluded.samples"]
        for metric in ResourceBucket.metrics {
            updates.append("\(metric)_sum = resource_rollups.\(metric)_sum + excluded.\(metric)_sum")
            updates.append(
                "\(metric)_min = \(dialect.least)(resource_rollups.\(metric)_min, excluded.\(metric)_min)")
            updates.append(
                "\(metric)_max = \(dialect.greatest)(resource_rollups.\(metric)_max, excluded.\(metric)_max)")
        }
        updates.append(
            "mem_limit_max = \(dialect.greatest)(resource_rollups.mem_limit_max, excluded.mem_limit_max)")
        let upsert: SQLQuery =
            " ON CONFLICT (tenant_key, hour) DO UPDATE SET \(raw: updates.joined(separator: ", "))"
        let insert: SQLQuery = "INSERT INTO resource_rollups (tenant_key, \(raw: columns.joined(separator: ", "))) "
        func values(_ rollup: ResourceRollup) -> SQLQuery {
            var query: SQLQuery = ""
            for (index, value) in rollup.boundValues.enumerated() {
                query += index == 0 ? "\(value)" : ", \(value)"
            }
            return query
        }
        if chunk.count == 1, let rollup = chunk.first {
            return insert + "SELECT tenant_key, \(values(rollup)) FROM tenants WHERE id = \(rollup.tenantID)" + upsert
        }
        var query: SQLQuery = insert + "SELECT t.tenant_key"
        for index in columns.indices { query += ", v.column\(raw: String(index + 2))" }
        query += " FROM (VALUES"
        for (index, rollup) in chunk.enumerated() {
            query += index == 0 ? " (\(rollup.tenantID), " : ", (\(rollup.tenantID), "
            query += values(rollup) + ")"
        }
        return query + ") AS v JOIN tenants t ON t.id = v.column1 WHERE true" + upsert
    }
}

extension ResourceBucket {
    /// A bucket from a row with `samples`, `{metric}_sum|_min|_max` and `mem_limit_max`.
    init(row: SQLRow, start: Timestamp) throws {
        let samples = try row.int64("samples")
        func range(_ metric: String) throws -> MetricRange {
            let sum = try row.double("\(metric)_sum")
            return MetricRange(
                min: try row.double("\(metric)_min"), avg: samples > 0 ? sum / Double(samples) : 0,
                max: try row.double("\(metric)_max"))
        }
        self.init(
            start: start, samples: Int(samples), cpuPct: try range("cpu_pct"), memBytes: try range("mem_bytes"),
            diskBytes: try range("disk_bytes"), netIn: try range("net_in"), netOut: try range("net_out"),
            pids: try range("pids"), memLimit: try row.int64("mem_limit_max"))
    }
}
