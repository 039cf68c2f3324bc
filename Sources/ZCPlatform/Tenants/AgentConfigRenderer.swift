import Foundation
import ZCCore
import ZCCrypto
import ZCTOML

/// Renders a tenant's agent configuration, `/zeroclaw-data/.zeroclaw/config.toml`, in ZeroClaw's config
/// schema 3 with the TOML encoder:
///
/// - `schema_version = 3`;
/// - `[providers.models.PROVIDER.default]`: the model and the API key opened from the vault;
/// - `[agents.default]`: that provider (`PROVIDER.default`), the `default` risk and runtime profiles
///   (`[risk_profiles.default]`, `[runtime_profiles.default]`: the tenant's own, or empty), and its
///   channels (`KIND.default`);
/// - `[channels.KIND.default]` per enabled channel: `enabled = true` (a missing `enabled` reads as false),
///   its settings and its secrets;
/// - `[peer_groups.KIND_default]` from a channel's allowed list (`allowed_users`, `allowed_numbers`,
///   `allowed_senders`), as the agent's own migration writes them;
/// - `[gateway]` with the pairings the agent recorded (`paired_tokens`), so a rewrite unpairs no one;
/// - `[observability] backend = "prometheus"`, which the usage collector reads.
///
/// The tenant's free settings fill the rest. The text holds secrets: it is written to a 0600 file and
/// never logged. Facts about the schema, and the commits they were read from: `Docs/OPERATIONS.md`,
/// "ZeroClaw versions".
enum AgentConfigRenderer {
    static let schemaVersion: Int64 = 3
    /// The alias of every entry the platform writes (`[providers.models.P.default]`, `[agents.default]`, …).
    static let alias = "default"
    /// When a tenant names no provider (ZeroClaw's own default).
    static let defaultProvider = "openrouter"

    /// Top-level keys the platform writes itself; the tenant's free settings may not set them.
    static let reservedKeys: Set<String> = [
        "schema_version", "providers", "agents", "channels", "peer_groups", "gateway", "observability",
    ]

    /// Top-level keys of the agent's earlier schemas (1 and 2): next to `schema_version = 3` they would be
    /// read wrongly or not at all, so free settings may not use them.
    static let earlierSchemaKeys: [String: String] = [
        "api_key": "api_key", "default_provider": "provider", "default_model": "model",
        "default_temperature": "settings.runtime_profiles.default.temperature",
        "channels_config": "channels", "model_providers": "provider, model and api_key",
        "autonomy": "settings.risk_profiles.default", "agent": "settings.runtime_profiles.default",
        "swarms": "nothing (schema 3 has none)",
    ]

    /// What is stored cannot become a config (two enabled channels of one kind, a kind the image
    /// lacks): a conflict with the tenant's state, not a fault of the request that found it.
    struct RenderError: Error, PublicError {
        let message: String
        var failureKind: FailureKind { .conflict }
        var publicMessage: String { message }
    }

    /// Checks the free settings of `PATCH /config`: no reserved key, no key of an earlier schema, no null
    /// anywhere (keys that are not bare TOML keys are written quoted).
    static func validateSettings(_ settings: [String: JSONValue]) throws(ValidationError) {
        for (key, value) in settings {
            guard !reservedKeys.contains(key) else {
                throw ValidationError(
                    field: "settings.\(key)", "is set by the platform (use provider, model, api_key or channels)")
            }
            if let instead = earlierSchemaKeys[key] {
                throw ValidationError(
                    field: "settings.\(key)",
                    "belongs to the agent's first config schema; the platform renders schema 3 (use \(instead))")
            }
            do {
                _ = try toml(value)
            } catch {
                throw ValidationError(field: "settings.\(key)", error.message)
            }
        }
    }

    static func render(
        tenant: Tenant, config: TenantConfig?, channels: [Channel], vault: Vault, gatewayPort: Int,
        pairedTokens: [String] = [], agentChannels: AgentChannels = .all
    ) throws -> String {
        var table = TOMLTable()
        table.set(.integer(schemaVersion), forKey: "schema_version")
        var free = config?.settings ?? [:]
        for key in reservedKeys.union(earlierSchemaKeys.keys) { free[key] = nil }
        // The profiles the agent references must exist: the tenant's own, or empty ones.
        var profiles: [String: TOMLTable] = [:]
        for name in ["risk_profiles", "runtime_profiles"] {
            var section = TOMLTable()
            if let given = free.removeValue(forKey: name), case .table(let tenants) = try toml(given) {
                section = tenants
            }
            if section[alias] == nil { section.set(.table(TOMLTable()), forKey: alias) }
            profiles[name] = section
        }
        for (key, value) in free.sorted(by: { $0.key < $1.key }) {
            table.set(try toml(value), forKey: key)
        }

        let provider = config?.provider ?? defaultProvider
        var model = TOMLTable()
        if let name = config?.model { model.set(.string(name), forKey: "model") }
        if let sealed = config?.apiKey {
            let key = try vault.open(sealed, owner: SecretLocation.tenantAPIKey(tenant.id).owner)
            model.set(.string(key), forKey: "api_key")
        }
        table.set(
            .table(["models": .table([provider: .table([alias: .table(model)])])]), forKey: "providers")

        let (channelTables, peerGroups) = try renderChannels(
            channels, tenant: tenant, vault: vault, agentChannels: agentChannels)
        var agent = TOMLTable()
        agent.set(.string("\(provider).\(alias)"), forKey: "model_provider")
        agent.set(.string(alias), forKey: "risk_profile")
        agent.set(.string(alias), forKey: "runtime_profile")
        agent.set(.array(channelTables.keys.map { .string("\($0).\(alias)") }), forKey: "channels")
        table.set(.table([alias: .table(agent)]), forKey: "agents")
        table.set(.table(profiles["risk_profiles"] ?? TOMLTable()), forKey: "risk_profiles")
        table.set(.table(profiles["runtime_profiles"] ?? TOMLTable()), forKey: "runtime_profiles")

        var gateway: TOMLTable = ["host": "127.0.0.1", "port": .integer(Int64(gatewayPort))]
        if !pairedTokens.isEmpty { gateway.set(.array(pairedTokens.map(TOMLValue.string)), forKey: "paired_tokens") }
        table.set(.table(gateway), forKey: "gateway")
        table.set(.table(["backend": "prometheus"]), forKey: "observability")
        if !channelTables.isEmpty { table.set(.table(channelTables), forKey: "channels") }
        if !peerGroups.isEmpty { table.set(.table(peerGroups), forKey: "peer_groups") }
        return
            "# Written by zcplatform for tenant \(tenant.id) (ZeroClaw config schema 3); replaced on every deploy and configuration change, the agent's pairings kept.\n"
            + TOML.encode(table)
    }

    /// `[channels.KIND.default]` per enabled channel, sorted by kind, and the peer groups of their allowed
    /// lists.
    private static func renderChannels(
        _ channels: [Channel], tenant: Tenant, vault: Vault, agentChannels: AgentChannels
    ) throws -> (channels: TOMLTable, peerGroups: TOMLTable) {
        var owners: [String: Channel] = [:]
        for channel in channels.sorted(by: { $0.name < $1.name }) where channel.enabled {
            if let other = owners[channel.kind] {
                throw RenderError(
                    message:
                        "channels \(other.name) and \(channel.name) are both enabled \(channel.kind) channels; the agent takes one of each kind"
                )
            }
            guard agentChannels.offers(channel.kind) else {
                throw RenderError(
                    message:
                        "channel \(channel.name) is a \(channel.kind) channel, which the agent's image is built without (\(agentChannels.source)); disable it, or use an image with it and set runtime.agent_channels"
                )
            }
            owners[channel.kind] = channel
        }
        var tables = TOMLTable()
        var groups = TOMLTable()
        for (kindName, channel) in owners.sorted(by: { $0.key < $1.key }) {
            let kind = ChannelKind.named(kindName)
            var section = TOMLTable()
            section.set(.boolean(true), forKey: "enabled")
            // Only what the kind knows: a setting stored under an earlier version of the platform that the
            // agent has no field for is kept in the store and left out here.
            for (key, value) in channel.settings.sorted(by: { $0.key < $1.key })
            where kind?.settings.contains(key) != false {
                if key == kind?.peerSetting {
                    if let group = peerGroup(of: kindName, allowed: value) {
                        groups.set(.table(group), forKey: "\(kindName)_\(alias)")
                    }
                } else if let list = kind?.singularSettings[key] {
                    // Schema 3 takes a list under another name; a list given under that name wins. The old
                    // name itself is never written: schema 3 has no such key.
                    if channel.settings[list] == nil, let ids = try listOfIDs(value) { section.set(ids, forKey: list) }
                } else if kind?.singularSettings.values.contains(key) == true {
                    // An id list: its numbers (Discord's ids, as operators write them) as the strings it holds.
                    if let ids = try listOfIDs(value) {
                        section.set(ids, forKey: key)
                    } else {
                        section.set(try toml(value), forKey: key)
                    }
                } else {
                    section.set(try toml(value), forKey: key)
                }
            }
            for (field, sealed) in channel.secrets.sorted(by: { $0.key < $1.key }) {
                let location = SecretLocation.channel(
                    id: channel.id, tenantID: tenant.id, name: channel.name, kind: kindName, field: field)
                section.set(.string(try vault.open(sealed, owner: location.owner)), forKey: field)
            }
            tables.set(.table([alias: .table(section)]), forKey: kindName)
        }
        return (tables, groups)
    }

    /// `[peer_groups.KIND_default]` for an allowed list: the `default` agent may be reached by these peers
    /// on this kind of channel. An empty list, or one holding `*`, makes no group (a peer group cannot say
    /// "anyone"), exactly as the agent's own migration of a first-schema list does.
    static func peerGroup(of kind: String, allowed: JSONValue) -> TOMLTable? {
        guard case .array(let items) = allowed else { return nil }
        var peers: [TOMLValue] = []
        for case .string(let text) in items {
            let peer = text.trimmingCharacters(in: .whitespaces)
            if peer == "*" { return nil }
            if !peer.isEmpty { peers.append(.string(peer)) }
        }
        guard !peers.isEmpty else { return nil }
        return ["channel": .string(kind), "agents": .array([.string(alias)]), "external_peers": .array(peers)]
    }

    /// A single id (a string, or a number as operators write Discord's) as a list of one; a list with
    /// its ids so written; nil for what cannot be an id (true/false).
    static func listOfIDs(_ value: JSONValue) throws(RenderError) -> TOMLValue? {
        switch value {
        case .array(let items):
            var ids: [TOMLValue] = []
            for item in items {
                if let id = id(item) { ids.append(id) } else { ids.append(try toml(item)) }
            }
            return .array(ids)
        default: return id(value).map { .array([$0]) }
        }
    }

    /// One id as the string schema 3 holds: a string, or a whole number written out.
    static func id(_ value: JSONValue) -> TOMLValue? {
        switch value {
        case .string(let id): .string(id)
        case .number(let number): wholeNumber(number).map { .string(String($0)) }
        default: nil
        }
    }

    /// A JSON number TOML writes as an integer: whole, and exact in a double.
    static func wholeNumber(_ number: Double) -> Int64? {
        number.rounded() == number && abs(number) < 9e15 ? Int64(number) : nil
    }

    /// JSON to TOML: numbers that are whole become integers; TOML has no null.
    static func toml(_ value: JSONValue) throws(RenderError) -> TOMLValue {
        switch value {
        case .null: throw RenderError(message: "null has no TOML form; leave the key out instead")
        case .bool(let flag): return .boolean(flag)
        case .number(let number): return wholeNumber(number).map { .integer($0) } ?? .float(number)
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
