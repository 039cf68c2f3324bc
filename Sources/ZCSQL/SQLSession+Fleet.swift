import ZCCore

extension SQLSession {
    func nodes() async throws -> [Node] {
        try await rows("SELECT id, address, version, started_at, last_seen_at FROM nodes ORDER BY id").map { row in
            Node(
                id: try row.string("id"), address: try row.string("address"), version: try row.string("version"),
                startedAt: try row.timestamp("started_at"), lastSeenAt: try row.timestamp("last_seen_at"))
        }
    }

    func instanceID() async throws -> String {
        guard let row = try await firstRow("SELECT value FROM platform_meta WHERE key = 'instance_id'") else {
            throw StoreError(.notFound, "the database has no instance id (is it migrated?)")
        }
        return try row.string("value")
    }

    func rowCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in SQLTables.all {
            counts[table] = try await firstRow("SELECT COUNT(*) AS n FROM \(raw: table)")?.int("n") ?? 0
        }
        return counts
    }
}

extension SQLWriteSession {
    func upsertNode(_ node: Node) async throws {
        try await run(
            """
            INSERT INTO nodes (id, address, version, started_at, last_seen_at) VALUES (\(node.id), \(node.address), \
            \(node.version), \(node.startedAt), \(node.lastSeenAt)) ON CONFLICT (id) DO UPDATE SET \
            address = excluded.address, version = excluded.version, started_at = excluded.started_at, \
            last_seen_at = excluded.last_seen_at
            """)
    }
}

/// The platform's tables, parents before children (the order to copy them in).
public enum SQLTables {
    public static var all: [String] { SQLTable.all.map(\.name) }
}
