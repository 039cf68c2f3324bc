import ZCCore

extension SQLSession {
    static var channelColumns: String {
        "c.id, t.id AS tenant_id, c.kind, c.name, c.settings, c.secret, c.enabled, c.created_at, c.updated_at"
    }

    func channel(id: Int64) async throws -> Channel? {
        try await firstRow(
            """
            SELECT \(raw: Self.channelColumns) FROM channels c JOIN tenants t ON t.tenant_key = c.tenant_key \
            WHERE c.id = \(id)
            """
        ).map(Channel.init(row:))
    }

    func channels(of tenantID: TenantID) async throws -> [Channel] {
        try await rows(
            """
            SELECT \(raw: Self.channelColumns) FROM channels c JOIN tenants t ON t.tenant_key = c.tenant_key \
            WHERE t.id = \(tenantID) ORDER BY c.id
            """
        ).map(Channel.init(row:))
    }
}

extension SQLWriteSession {
    func insertChannel(_ channel: NewChannel) async throws -> Channel {
        // The tenant first, so every value below sits in VALUES where each store infers its column type.
        guard let tenant = try await firstRow("SELECT tenant_key FROM tenants WHERE id = \(channel.tenantID)") else {
            throw StoreError(.notFound, "tenant '\(channel.tenantID)' not found")
        }
        let key = try tenant.int64("tenant_key")
        let settings = JSONValue.object(channel.settings).jsonText
        guard
            let row = try await firstRow(
                """
                INSERT INTO channels (tenant_key, kind, name, settings, secret, enabled, created_at, updated_at) \
                VALUES (\(key), \(channel.kind), \(channel.name), \(settings), \(channel.secret?.bytes), \
                \(channel.enabled), \(channel.createdAt), \(channel.createdAt)) RETURNING id
                """)
        else { throw StoreError(.other, "insert into channels returned no id") }
        return Channel(
            id: try row.int64("id"), tenantID: channel.tenantID, kind: channel.kind, name: channel.name,
            settings: channel.settings, secret: channel.secret, enabled: channel.enabled, createdAt: channel.createdAt)
    }

    func updateChannel(_ channel: Channel) async throws {
        let settings = JSONValue.object(channel.settings).jsonText
        let changed = try await run(
            """
            UPDATE channels SET kind = \(channel.kind), name = \(channel.name), settings = \(settings), \
            secret = \(channel.secret?.bytes), enabled = \(channel.enabled), updated_at = \(channel.updatedAt) \
            WHERE id = \(channel.id) AND tenant_key = \(tenantKey(channel.tenantID))
            """)
        guard changed > 0 else { throw StoreError(.notFound, "channel \(channel.id) not found") }
    }

    func deleteChannel(id: Int64) async throws -> Bool {
        try await run("DELETE FROM channels WHERE id = \(id)") > 0
    }
}

extension Channel {
    init(row: SQLRow) throws {
        guard case .object(let settings)? = JSONValue(jsonText: try row.string("settings")) else {
            throw StoreError(.other, "column 'settings' does not hold a JSON object")
        }
        self.init(
            id: try row.int64("id"), tenantID: TenantID(trusted: try row.string("tenant_id")),
            kind: try row.string("kind"), name: try row.string("name"), settings: settings,
            secret: try row.optionalBlob("secret").map(SealedSecret.init(bytes:)), enabled: try row.bool("enabled"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
