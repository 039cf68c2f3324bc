import ZCCore

extension SQLStore {
    public func prune(_ table: RetentionTable, olderThan cutoff: Timestamp, batchSize: Int) async throws -> Int {
        let batch = max(1, batchSize)
        switch table {
        case .resourceSnapshots:
            return try await prunePerTenant(table: "resource_snapshots", time: "collected_at", cutoff, batch)
        case .resourceRollups:
            return try await prunePerTenant(table: "resource_rollups", time: "hour", cutoff, batch)
        case .usageMetrics:
            return try await prunePerTenant(table: "usage_metrics", time: "hour", cutoff, batch)
        case .auditLog:
            return try await pruneByID(table: "audit_log", time: "at", cutoff, batch)
        case .accessTokens:
            return try await pruneByID(table: "access_tokens", time: "expires_at", cutoff, batch)
        case .loginCodes:
            return try await pruneByID(table: "login_codes", time: "expires_at", cutoff, batch)
        case .authAttempts:
            return try await pruneByID(table: "auth_attempts", time: "at", cutoff, batch)
        case .authLimits:
            return try await writeSession { session in
                try await session.run("DELETE FROM auth_limits WHERE touched_at < \(cutoff)")
            }
        }
    }

    /// Tables keyed by (tenant_key, time): walks the tenants, deleting each one's oldest rows, at most
    /// `batch` rows per transaction. Each delete is a range at the start of one tenant's key range.
    private func prunePerTenant(table: String, time: String, _ cutoff: Timestamp, _ batch: Int) async throws -> Int {
        let keys = try await database.withConnection(write: false) { connection in
            try await connection.query("SELECT tenant_key FROM tenants ORDER BY tenant_key", [])
                .map { try $0.int64("tenant_key") }
        }
        var total = 0
        var position = 0
        while position < keys.count {
            try Task.checkCancellation()
            let start = position
            let (deleted, next) = try await writeSession { session in
                var budget = batch
                var index = start
                var deleted = 0
                while index < keys.count, budget > 0 {
                    let key = keys[index]
                    let boundary = try await session.rows(
                        """
                        SELECT \(raw: time) AS boundary FROM \(raw: table) \
                        WHERE tenant_key = \(key) AND \(raw: time) < \(cutoff) \
                        ORDER BY \(raw: time) LIMIT 1 OFFSET \(budget)
                        """
                    ).first
                    if let boundary {
                        let limit = try boundary.int64("boundary")
                        let count = try await session.run(
                            "DELETE FROM \(raw: table) WHERE tenant_key = \(key) AND \(raw: time) < \(limit)")
                        deleted += count
                        budget -= count
                        if count == 0 { index += 1 }
                    } else {
                        let count = try await session.run(
                            "DELETE FROM \(raw: table) WHERE tenant_key = \(key) AND \(raw: time) < \(cutoff)")
                        deleted += count
                        budget -= count
                        index += 1
                    }
                }
                return (deleted, index)
            }
            total += deleted
            position = next
            await Task.yield()
        }
        return total
    }

    /// Tables with an integer id: deletes the oldest matching ids, `batch` per transaction.
    private func pruneByID(table: String, time: String, _ cutoff: Timestamp, _ batch: Int) async throws -> Int {
        var total = 0
        while true {
            try Task.checkCancellation()
            let deleted = try await writeSession { session in
                return try await session.run(
                    """
                    DELETE FROM \(raw: table) WHERE id IN \
                    (SELECT id FROM \(raw: table) WHERE \(raw: time) < \(cutoff) ORDER BY id LIMIT \(batch))
                    """)
            }
            total += deleted
            if deleted < batch { return total }
            await Task.yield()
        }
    }
}
