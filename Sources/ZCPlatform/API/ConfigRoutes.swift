import ZCCore
import ZCCrypto
import ZCHTTP

/// `/api/tenants/{id}/config`: the agent's provider, model and settings (viewers read; managers change);
/// the API key is write-only: it reads back as `api_key_set`.
enum ConfigRoutes {
    static func register(
        in router: inout Router, store: any Store, authorizer: Authorizer, vault: Vault, lifecycle: TenantLifecycle
    ) {
        router.get("/api/tenants/{id}/config") { _, context in
            let (_, tenant) = try await authorizer.require(.readConfig, tenant: try context.parameter("id"), context)
            let config = try await store.read { try await $0.tenantConfig(of: tenant.id) }
            return JSONBody.response(view(config))
        }
        router.patch("/api/tenants/{id}/config") { request, context in
            let (principal, tenant) = try await authorizer.require(
                .changeConfig, tenant: try context.parameter("id"), context)
            let fields = try JSONFields(request, allowed: ["provider", "model", "settings", "api_key"])
            let now = Timestamp.now()
            let saved = try await store.withTransaction { transaction in
                // Read, merged and written under the tenant's lock: two PATCHes of different fields both land.
                try await transaction.lockTenant(tenant.id)
                var config =
                    try await transaction.tenantConfig(of: tenant.id)
                    ?? TenantConfig(tenantID: tenant.id, updatedAt: now)
                var changed: [String] = []
                if case .some(let provider) = try fields.string("provider") {
                    if let provider,
                        !(1...64).contains(provider.utf8.count)
                            || !provider.utf8.allSatisfy({
                                ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45
                                    || $0 == 95
                            })
                    {
                        throw ValidationError(field: "provider", "must be 1 to 64 letters, digits, '-' or '_'")
                    }
                    config.provider = provider
                    changed.append("provider")
                }
                if case .some(let model) = try fields.string("model") {
                    if let model, !(1...200).contains(model.unicodeScalars.count) {
                        throw ValidationError(field: "model", "must be 1 to 200 characters")
                    }
                    config.model = model
                    changed.append("model")
                }
                if let settings = try fields.object("settings") {
                    guard settings.count <= 64 else { throw ValidationError(field: "settings", "at most 64 settings") }
                    try AgentConfigRenderer.validateSettings(settings)
                    config.settings = settings
                    changed.append("settings")
                }
                if case .some(let key) = try fields.string("api_key") {
                    if let key {
                        guard (1...4096).contains(key.utf8.count) else {
                            throw ValidationError(field: "api_key", "must be 1 to 4096 bytes")
                        }
                        config.apiKey = try vault.seal(key, owner: SecretLocation.tenantAPIKey(tenant.id).owner)
                    } else {
                        config.apiKey = nil
                    }
                    changed.append("api_key")
                }
                config.updatedAt = now
                try await transaction.setTenantConfig(config)
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now, actor: principal.actor, action: "tenant.config_update", tenantID: tenant.id.rawValue,
                        clientIP: context.remoteAddress, detail: ["changed": .array(changed.map(JSONValue.string))]))
                return config
            }
            lifecycle.configurationChanged(tenant.id, actor: principal.actor)
            return JSONBody.response(view(saved))
        }
    }

    static func view(_ config: TenantConfig?) -> ConfigView {
        ConfigView(
            provider: config?.provider, model: config?.model, settings: config?.settings ?? [:],
            apiKeySet: config?.apiKey != nil, updatedAt: config?.updatedAt)
    }
}
