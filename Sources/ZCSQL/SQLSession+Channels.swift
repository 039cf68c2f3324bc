import ZCCore

extension SQLSession {
    static var channelColumns: String {
        "c.id, t.id AS tenant_id, c.kind, c.name, c.settings, c.enabled, c.created_at, c.updated_at"
    }

    func channel(id: Int64) async throws -> Channel? {
        guard
            var channel = try await firstRow(
                """
                SELECT \(raw: Self.channelColumns) FROM channels c JOIN tenants t ON t.tenant_key = c.tenant_key \
                WHERE c.id = \(id)
                """
            ).map(Channel.init(row:))
        else { return nil }
        for row in try await rows("SELECT field, secret FROM channel_secrets WHERE channel_id = \(id)") {
            channel.secrets[try row.string("field")] = SealedSecret(bytes: try row.blob("secret"))
        }
        return channel
    }

    func channels(of tenantID: TenantID) async throws -> [Channel] {
        var channels = try await rows(
            """
            SELECT \(raw: Self.channelColumns) FROM channels c JOIN tenants t ON t.tenant_key = c.tenant_key \
            WHERE t.id = \(tenantID) ORDER BY c.id
            """
        ).map(Channel.init(row:))
        guard !channels.isEmpty else { return [] }
        let index = Dictionary(uniqueKeysWithValues: channels.enumerated().map { ($1.id, $0) })
        for row in try await rows(
            """
            SELECT s.channel_id, s.field, s.secret FROM channel_secrets s JOIN channels c ON c.id = s.channel_id \
            JOIN tenants t ON t.tenant_key = c.tenant_key WHERE t.id = \(tenantID)
            """)
        {
            guard let position = index[try row.int64("channel_id")] else { continue }
            channels[position].secrets[try row.string("field")] = SealedSecret(bytes: try row.blob("secret"))
        }
        return channels
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
                INSERT INTO channels (tenant_key, kind, name, settings, enabled, created_at, updated_at) \
                VALUES (\(key), \(channel.kind), \(channel.name), \(settings), \
                \(channel.enabled), \(channel.createdAt), \(channel.createdAt)) RETURNING id
                """)
        else { throw StoreError(.other, "insert into channels returned no id") }
        let id = try row.int64("id")
        try await writeSecrets(channel.secrets, of: id)
        return Channel(
            id: id, tenantID: channel.tenantID, kind: channel.kind, name: channel.name,
            settings: channel.settings, secrets: channel.secrets, enabled: channel.enabled,
            createdAt: channel.createdAt)
    }

    /// Replaces every secret of channel `id` with `secrets`.
    private func writeSecrets(_ secrets: [String: SealedSecret], of id: Int64) async throws {
        _ = try await run("DELETE FROM channel_secrets WHERE channel_id = \(id)")
        for (field, sealed) in secrets.sorted(by: { $0.key < $1.key }) {
            _ = try await run(
                "INSERT INTO channel_secrets (channel_id, field, secret) VALUES (\(id), \(field), \(sealed.bytes))")
        }
    }

    func updateChannel(_ channel: Channel) async throws {
        let settings = JSONValue.object(channel.settings).jsonText
        let changed = try await run(
            """
            UPDATE channels SET kind = \(channel.kind), name = \(channel.name), settings = \(settings), \
            enabled = \(channel.enabled), updated_at = \(channel.updatedAt) \
            WHERE id = \(channel.id) AND tenant_key = \(tenantKey(channel.tenantID))
            """)
        guard changed > 0 else { throw StoreError(.notFound, "channel \(channel.id) not found") }
        try await writeSecrets(channel.secrets, of: channel.id)
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
            enabled: try row.bool("enabled"),
            createdAt: try row.timestamp("created_at"), updatedAt: try row.timestamp("updated_at"))
    }
}
