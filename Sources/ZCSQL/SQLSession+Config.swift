import ZCCore

extension SQLSession {
    func tenantConfig(of tenantID: TenantID) async throws -> TenantConfig? {
        guard
            let row = try await firstRow(
                """
                SELECT provider, model, settings, api_key, updated_at FROM tenant_configs \
                WHERE tenant_key = \(tenantKey(tenantID))
                """)
        else { return nil }
        guard case .object(let settings)? = JSONValue(jsonText: try row.string("settings")) else {
            throw StoreError(.other, "column 'settings' does not hold a JSON object")
        }
        return TenantConfig(
            tenantID: tenantID, provider: try row.optionalString("provider"), model: try row.optionalString("model"),
            settings: settings, apiKey: try row.optionalBlob("api_key").map(SealedSecret.init(bytes:)),
            updatedAt: try row.timestamp("updated_at"))
    }

    func storedSecrets() async throws -> [StoredSecret] {
        var secrets: [StoredSecret] = []
        for row in try await rows(
            """
            SELECT c.id, t.id AS tenant_id, c.name, c.kind, s.field, s.secret FROM channel_secrets s \
            JOIN channels c ON c.id = s.channel_id JOIN tenants t ON t.tenant_key = c.tenant_key \
            ORDER BY c.id, s.field
            """)
        {
            let tenantID = TenantID(trusted: try row.string("tenant_id"))
            secrets.append(
                StoredSecret(
                    location: .channel(
                        id: try row.int64("id"), tenantID: tenantID, name: try row.string("name"),
                        kind: try row.string("kind"), field: try row.string("field")),
                    sealed: SealedSecret(bytes: try row.blob("secret"))))
        }
        for row in try await rows(
            """
            SELECT t.id AS tenant_id, c.api_key FROM tenant_configs c JOIN tenants t ON t.tenant_key = c.tenant_key \
            WHERE c.api_key IS NOT NULL ORDER BY t.id
            """)
        {
            secrets.append(
                StoredSecret(
                    location: .tenantAPIKey(TenantID(trusted: try row.string("tenant_id"))),
                    sealed: SealedSecret(bytes: try row.blob("api_key"))))
        }
        return secrets
    }
}

extension SQLWriteSession {
    func setTenantConfig(_ config: TenantConfig) async throws {
        guard let tenant = try await firstRow("SELECT tenant_key FROM tenants WHERE id = \(config.tenantID)") else {
            throw StoreError(.notFound, "tenant '\(config.tenantID)' not found")
        }
        let key = try tenant.int64("tenant_key")
        let settings = JSONValue.object(config.settings).jsonText
        try await run(
            """
            INSERT INTO tenant_configs (tenant_key, provider, model, settings, api_key, updated_at) \
            VALUES (\(key), \(config.provider), \(config.model), \(settings), \(config.apiKey?.bytes), \(config.updatedAt)) \
            ON CONFLICT (tenant_key) DO UPDATE SET provider = excluded.provider, model = excluded.model, \
            settings = excluded.settings, api_key = excluded.api_key, updated_at = excluded.updated_at
            """)
    }

    func replaceSealedSecret(
        at location: SecretLocation, expected: SealedSecret, with sealed: SealedSecret
    ) async throws -> Bool {
        switch location {
        case .channel(let id, _, _, _, let field):
            return try await run(
                """
                UPDATE channel_secrets SET secret = \(sealed.bytes) \
                WHERE channel_id = \(id) AND field = \(field) AND secret = \(expected.bytes)
                """) > 0
        case .tenantAPIKey(let tenantID):
            return try await run(
                """
                UPDATE tenant_configs SET api_key = \(sealed.bytes) \
                WHERE tenant_key = \(tenantKey(tenantID)) AND api_key = \(expected.bytes)
                """) > 0
        }
    }
}
