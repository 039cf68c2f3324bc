import ZCCore
import ZCCrypto
import ZCTOML

/// Renders a tenant's agent configuration, `/zeroclaw-data/.zeroclaw/config.toml`, with the TOML encoder:
/// provider, model and API key, the tenant's free settings, the gateway, Prometheus metrics, and one
/// `[channels_config.KIND]` table per enabled channel with its secret opened from the vault.
///
/// The text holds secrets: it is written to a 0600 file and never logged.
enum AgentConfigRenderer {
    /// Keys the platform writes itself; the tenant's free settings may not set them.
    static let reservedKeys: Set<String> = [
        "api_key", "default_provider", "default_model", "gateway", "observability", "channels_config",
    ]

    /// The field each channel kind keeps its secret in.
    static func secretField(of kind: String) -> String {
        switch kind {
        case "telegram", "discord", "slack": "bot_token"
        case "whatsapp", "matrix": "access_token"
        case "email": "password"
        default: "secret"
        }
    }

    /// What is stored cannot become a config (two enabled channels of one kind): a conflict with the
    /// tenant's state, not a fault of the request that found it.
    struct RenderError: Error, PublicError {
        let message: String
        var failureKind: FailureKind { .conflict }
        var publicMessage: String { message }
    }

    /// Checks the free settings of `PATCH /config`: no reserved key, no null anywhere (keys that are not
    /// bare TOML keys are written quoted).
    static func validateSettings(_ settings: [String: JSONValue]) throws(ValidationError) {
        for (key, value) in settings {
            guard !reservedKeys.contains(key) else {
                throw ValidationError(
                    field: "settings.\(key)", "is set by the platform (use provider, model, api_key or channels)")
            }
            do {
                _ = try toml(value)
            } catch {
                throw ValidationError(field: "settings.\(key)", error.message)
            }
        }
    }

    static func render(
        tenant: Tenant, config: TenantConfig?, channels: [Channel], vault: Vault, gatewayPort: Int
    ) throws -> String {
        var table = TOMLTable()
        if let provider = config?.provider { table.set(.string(provider), forKey: "default_provider") }
        if let model = config?.model { table.set(.string(model), forKey: "default_model") }
        if let sealed = config?.apiKey {
            let key = try vault.open(sealed, owner: SecretLocation.tenantAPIKey(tenant.id).owner)
            table.set(.string(key), forKey: "api_key")
        }
        for (key, value) in (config?.settings ?? [:]).sorted(by: { $0.key < $1.key })
        where !reservedKeys.contains(key) {
            table.set(try toml(value), forKey: key)
        }
        table.set(.table(["host": "127.0.0.1", "port": .integer(Int64(gatewayPort))]), forKey: "gateway")
        table.set(.table(["backend": "prometheus"]), forKey: "observability")
        var channelTables = TOMLTable()
        var owners: [String: String] = [:]
        for channel in channels.sorted(by: { $0.name < $1.name }) where channel.enabled {
            if let other = owners[channel.kind] {
                throw RenderError(
                    message:
                        "channels \(other) and \(channel.name) are both enabled \(channel.kind) channels; the agent takes one of each kind"
                )
            }
            owners[channel.kind] = channel.name
            var section = TOMLTable()
            for (key, value) in channel.settings.sorted(by: { $0.key < $1.key }) {
                section.set(try toml(value), forKey: key)
            }
            if let sealed = channel.secret {
                let owner = SecretLocation.channel(id: channel.id, tenantID: tenant.id, name: channel.name).owner
                section.set(.string(try vault.open(sealed, owner: owner)), forKey: secretField(of: channel.kind))
            }
            channelTables.set(.table(section), forKey: channel.kind)
        }
        if !channelTables.isEmpty { table.set(.table(channelTables), forKey: "channels_config") }
        return "# Written by zcplatform for tenant \(tenant.id); replaced on every deploy and configuration change.\n"
            + TOML.encode(table)
    }

    /// JSON to TOML: numbers that are whole become integers; TOML has no null.
    static func toml(_ value: JSONValue) throws(RenderError) -> TOMLValue {
        switch value {
        case .null: throw RenderError(message: "null has no TOML form; leave the key out instead")
        case .bool(let flag): return .boolean(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 9e15 { return .integer(Int64(number)) }
            return .float(number)
        case .string(let text): return .string(text)
        case .array(let items):
            var values: [TOMLValue] = []
            for item in items { values.append(try toml(item)) }
            return .array(values)
        case .object(let fields):
            var table = TOMLTable()
            for (key, item) in fields.sorted(by: { $0.key < $1.key }) {
                table.set(try toml(item), forKey: key)
            }
            return .table(table)
        }
    }
}
