import ZCCore
import ZCCrypto

/// A tenant's channels: listed for viewers; created, changed and deleted by managers within the plan's
/// limit. Secrets are sealed by the vault one field at a time, each bound to the tenant, the channel's
/// name and the field; the agent takes one enabled channel of each kind, and an enabled channel must
/// have what its kind needs to connect (Slack both tokens, WhatsApp all three secrets, …). A kind the
/// agent's image is built without (`runtime.agent_channels`) is refused. Every change is audited in its
/// own transaction and reconfigures the agent.
public struct ChannelService: Sendable {
    /// What a new channel is made of, as asked.
    public struct NewChannelRequest: Sendable {
        public var kind: String
        public var name: String
        public var settings: [String: JSONValue]
        /// Secret values by field (`bot_token`, `app_token`, …).
        public var secrets: [String: String]
        public var enabled: Bool

        public init(
            kind: String, name: String, settings: [String: JSONValue] = [:], secrets: [String: String] = [:],
            enabled: Bool = true
        ) {
            self.kind = kind
            self.name = name
            self.settings = settings
            self.secrets = secrets
            self.enabled = enabled
        }
    }

    /// A partial change. `secrets` sets the fields it names (a null removes one), leaving the others; a
    /// null name is refused (delete the channel instead).
    public struct Changes: Sendable {
        public var name: FieldUpdate<String> = .unchanged
        public var settings: [String: JSONValue]?
        public var secrets: [String: FieldUpdate<String>] = [:]
        /// The first form, a lone secret: sets the kind's first secret field.
        public var secret: String?
        public var enabled: Bool?

        public init() {}
    }

    static let secretBytes = 1...4096

    let store: any Store
    let vault: Vault
    let plans: [String: Plan]
    let lifecycle: TenantLifecycle
    /// The kinds the agent's image can run (`runtime.agent_channels`).
    let agentChannels: AgentChannels

    public init(
        store: any Store, vault: Vault, plans: [String: Plan], lifecycle: TenantLifecycle,
        agentChannels: AgentChannels = .all
    ) {
        self.store = store
        self.vault = vault
        self.plans = plans
        self.lifecycle = lifecycle
        self.agentChannels = agentChannels
    }

    /// The kind named `name`, if the agent's image has it.
    func kind(named name: String) throws(ValidationError) -> ChannelKind {
        guard let kind = ChannelKind.named(name) else {
            throw ValidationError(
                field: "kind", "unknown channel kind (known: \(ChannelKind.all.map(\.name).joined(separator: ", ")))")
        }
        try agentChannels.require(kind.name)
        return kind
    }

    /// Seals each secret under its field's location.
    func seal(
        _ secrets: [String: String], channel id: Int64, tenant: TenantID, name: String, kind: ChannelKind
    )
        throws -> [String: SealedSecret]
    {
        var sealed: [String: SealedSecret] = [:]
        for (field, value) in secrets {
            try kind.validateSecretField(field)
            guard Self.secretBytes.contains(value.utf8.count) else {
                throw ValidationError(field: "secrets.\(field)", "must be 1 to 4096 bytes")
            }
            sealed[field] = try vault.seal(
                value,
                owner: SecretLocation.channel(id: id, tenantID: tenant, name: name, kind: kind.name, field: field).owner
            )
        }
        return sealed
    }

    public func list(of tenant: Tenant) async throws -> [Channel] {
        try await store.read { try await $0.channels(of: tenant.id) }
    }

    public func create(_ request: NewChannelRequest, in tenant: Tenant, by caller: Caller) async throws -> Channel {
        let kind = try kind(named: request.kind)
        try ChannelKind.validateName(request.name)
        try kind.validate(request.settings)
        // Sealed before the completeness check, so an unknown field is named before a missing one.
        let sealed = try seal(request.secrets, channel: 0, tenant: tenant.id, name: request.name, kind: kind)
        if request.enabled {
            try kind.validateComplete(settings: request.settings, secrets: Set(sealed.keys))
        }
        let limit = plans[tenant.plan]?.maxChannels ?? Plan.standard.maxChannels
        let now = Timestamp.now()
        let channel = try await store.withTransaction { transaction in
            // The plan's limit and the one enabled channel of a kind are checked under the tenant's lock.
            try await transaction.lockTenant(tenant.id)
            let existing = try await transaction.channels(of: tenant.id)
            guard existing.count < limit else {
                throw Failure.conflict("plan '\(tenant.plan)' allows at most \(limit) channels")
            }
            if request.enabled { try Self.requireNoOtherEnabled(kind.name, besides: nil, in: existing) }
            let channel: Channel
            do {
                channel = try await transaction.insertChannel(
                    NewChannel(
                        tenantID: tenant.id, kind: kind.name, name: request.name, settings: request.settings,
                        secrets: sealed, enabled: request.enabled, createdAt: now))
            } catch let error as StoreError where error.kind == .uniqueViolation {
                throw Failure.conflict("the tenant already has a channel named '\(request.name)'")
            }
            try await transaction.audit(
                "channel.create", by: caller, tenant: tenant.id, target: "channel:\(channel.id)",
                detail: [
                    "kind": .string(kind.name), "name": .string(request.name),
                    "secrets_set": .array(sealed.keys.sorted().map(JSONValue.string)),
                ], at: now)
            return channel
        }
        lifecycle.configurationChanged(tenant.id, actor: caller.actor)
        return channel
    }

    public func update(_ id: Int64, in tenant: Tenant, changes: Changes, by caller: Caller) async throws -> Channel {
        let now = Timestamp.now()
        let updated = try await store.withTransaction { transaction in
            // Read under the tenant's lock: a rename re-seals the secret it read, and a concurrent secret
            // change (or rename) must not be lost to it or sealed under the wrong name.
            try await transaction.lockTenant(tenant.id)
            guard var channel = try await transaction.channel(id: id), channel.tenantID == tenant.id else {
                throw Failure.notFound("channel \(id) not found")
            }
            let kind = ChannelKind.named(channel.kind)
            var changed: [String] = []
            // The plaintexts to seal anew: all of them on a rename (they are bound to the name), else the
            // fields changed.
            var plaintexts: [String: String] = [:]
            switch changes.name {
            case .unchanged: break
            case .null: throw ValidationError(field: "name", "cannot be null")
            case .value(let name):
                if name != channel.name {
                    try ChannelKind.validateName(name)
                    // Secrets are bound to the name: open them under the old one to seal them under the new.
                    for (field, sealed) in channel.secrets {
                        let old = SecretLocation.channel(
                            id: channel.id, tenantID: tenant.id, name: channel.name, kind: channel.kind, field: field)
                        plaintexts[field] = try vault.open(sealed, owner: old.owner)
                    }
                    channel.name = name
                    changed.append("name")
                }
            }
            if let settings = changes.settings {
                try kind?.validate(settings)
                channel.settings = settings
                changed.append("settings")
            }
            var updates = changes.secrets
            if let secret = changes.secret, let kind { updates[kind.primarySecretField] = .value(secret) }
            for (field, update) in updates.sorted(by: { $0.key < $1.key }) {
                guard let kind else { break }
                try kind.validateSecretField(field)
                switch update {
                case .unchanged: continue
                case .null:
                    plaintexts[field] = nil
                    channel.secrets[field] = nil
                case .value(let secret): plaintexts[field] = secret
                }
                changed.append("secrets.\(field)")
            }
            if let kind, !plaintexts.isEmpty {
                for (field, sealed) in try seal(
                    plaintexts, channel: channel.id, tenant: tenant.id, name: channel.name, kind: kind)
                {
                    channel.secrets[field] = sealed
                }
            }
            if let enabled = changes.enabled {
                if enabled && !channel.enabled {
                    try Self.requireNoOtherEnabled(
                        channel.kind, besides: channel.id, in: try await transaction.channels(of: tenant.id))
                }
                channel.enabled = enabled
                changed.append("enabled")
            }
            if channel.enabled, let kind, changes.settings != nil || !updates.isEmpty || changes.enabled == true {
                if changes.enabled == true { try agentChannels.require(kind.name) }
                try kind.validateComplete(settings: channel.settings, secrets: Set(channel.secrets.keys))
            }
            channel.updatedAt = now
            do {
                try await transaction.updateChannel(channel)
            } catch let error as StoreError where error.kind == .uniqueViolation {
                throw Failure.conflict("the tenant already has a channel named '\(channel.name)'")
            }
            try await transaction.audit(
                "channel.update", by: caller, tenant: tenant.id, target: "channel:\(channel.id)",
                detail: ["changed": .array(changed.map(JSONValue.string))], at: now)
            return channel
        }
        lifecycle.configurationChanged(tenant.id, actor: caller.actor)
        return updated
    }

    public func delete(_ id: Int64, in tenant: Tenant, by caller: Caller) async throws {
        try await store.withTransaction { transaction in
            guard let channel = try await transaction.channel(id: id), channel.tenantID == tenant.id else {
                throw Failure.notFound("channel \(id) not found")
            }
            try await transaction.deleteChannel(id: id)
            try await transaction.audit(
                "channel.delete", by: caller, tenant: tenant.id, target: "channel:\(id)",
                detail: ["name": .string(channel.name)])
        }
        lifecycle.configurationChanged(tenant.id, actor: caller.actor)
    }

    /// The agent takes one enabled channel of each kind: a second is a conflict, refused when it is made
    /// rather than when the agent's config is next written.
    static func requireNoOtherEnabled(_ kind: String, besides id: Int64?, in channels: [Channel]) throws {
        if let other = channels.first(where: { $0.kind == kind && $0.enabled && $0.id != id }) {
            throw Failure.conflict(
                "the tenant already has an enabled \(kind) channel ('\(other.name)'); the agent takes one of each kind: disable or delete it first, or create this one with \"enabled\": false"
            )
        }
    }
}
