import ZCCore
import ZCCrypto

/// A tenant's agent configuration: the provider, model and settings (viewers read; managers change),
/// and the provider's API key, sealed by the vault and never shown again. A change is audited and
/// reconfigures the agent.
public struct TenantConfigService: Sendable {
    /// A partial change: null clears the provider, the model or the key.
    public struct Changes: Sendable {
        public var provider: FieldUpdate<String> = .unchanged
        public var model: FieldUpdate<String> = .unchanged
        public var settings: [String: JSONValue]?
        public var apiKey: FieldUpdate<String> = .unchanged

        public init() {}
    }

    let store: any Store
    let vault: Vault
    let lifecycle: TenantLifecycle

    public init(store: any Store, vault: Vault, lifecycle: TenantLifecycle) {
        self.store = store
        self.vault = vault
        self.lifecycle = lifecycle
    }

    public func config(of tenant: Tenant) async throws -> TenantConfig? {
        try await store.read { try await $0.tenantConfig(of: tenant.id) }
    }

    public func update(_ tenant: Tenant, changes: Changes, by caller: Caller) async throws -> TenantConfig {
        let now = Timestamp.now()
        let saved = try await store.withTransaction { transaction in
            // Read, merged and written under the tenant's lock: two PATCHes of different fields both land.
            try await transaction.lockTenant(tenant.id)
            var config =
                try await transaction.tenantConfig(of: tenant.id) ?? TenantConfig(tenantID: tenant.id, updatedAt: now)
            var changed: [String] = []
            if let provider = changes.provider.given {
                if let provider, !Self.isProviderName(provider) {
                    throw ValidationError(field: "provider", "must be 1 to 64 letters, digits, '-' or '_'")
                }
                config.provider = provider
                changed.append("provider")
            }
            if let model = changes.model.given {
                if let model, !(1...200).contains(model.unicodeScalars.count) {
                    throw ValidationError(field: "model", "must be 1 to 200 characters")
                }
                config.model = model
                changed.append("model")
            }
            if let settings = changes.settings {
                guard settings.count <= 64 else { throw ValidationError(field: "settings", "at most 64 settings") }
                try AgentConfigRenderer.validateSettings(settings)
                config.settings = settings
                changed.append("settings")
            }
            if let key = changes.apiKey.given {
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
            try await transaction.audit(
                "tenant.config_update", by: caller, tenant: tenant.id,
                detail: ["changed": .array(changed.map(JSONValue.string))], at: now)
            return config
        }
        lifecycle.configurationChanged(tenant.id, actor: caller.actor)
        return saved
    }

    /// 1 to 64 ASCII letters, digits, `-` or `_`.
    static func isProviderName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy {
                ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95
            }
    }
}

extension FieldUpdate {
    /// nil when unchanged; `.some(nil)` for null; the value otherwise.
    var given: Value?? {
        switch self {
        case .unchanged: nil
        case .null: .some(nil)
        case .value(let value): .some(value)
        }
    }
}
