import ZCCore
import ZCCrypto

/// A tenant's channels: listed for viewers; created, changed and deleted by managers within the plan's
/// limit. Secrets are sealed by the vault, bound to the tenant and the channel's name; the agent takes
/// one enabled channel of each kind. Every change is audited in its own transaction and reconfigures
/// the agent.
public struct ChannelService: Sendable {
    /// What a new channel is made of, as asked.
    public struct NewChannelRequest: Sendable {
        public var kind: String
        public var name: String
        public var settings: [String: JSONValue]
        public var secret: String?
        public var enabled: Bool

        public init(
            kind: String, name: String, settings: [String: JSONValue] = [:], secret: String? = nil,
            enabled: Bool = true
        ) {
            self.kind = kind
            self.name = name
            self.settings = settings
            self.secret = secret
            self.enabled = enabled
        }
    }

    /// A partial change; a null name or secret is refused (delete the channel instead).
    public struct Changes: Sendable {
        public var name: FieldUpdate<String> = .unchanged
        public var settings: [String: JSONValue]?
        public var secret: FieldUpdate<String> = .unchanged
        public var enabled: Bool?

        public init() {}
    }

    static let secretBytes = 1...4096

    let store: any Store
    let vault: Vault
    let plans: [String: Plan]
    let lifecycle: TenantLifecycle

    public init(store: any Store, vault: Vault, plans: [String: Plan], lifecycle: TenantLifecycle) {
        self.store = store
        self.vault = vault
        self.plans = plans
        self.lifecycle = lifecycle
    }

    public func list(of tenant: Tenant) async throws -> [Channel] {
        try await store.read { try await $0.channels(of: tenant.id) }
    }

    public func create(_ request: NewChannelRequest, in tenant: Tenant, by caller: Caller) async throws -> Channel {
        guard let kind = ChannelKind.named(request.kind) else {
            throw ValidationError(
                field: "kind", "unknown channel kind (known: \(ChannelKind.all.map(\.name).joined(separator: ", ")))")
        }
        try ChannelKind.validateName(request.name)
        try kind.validate(request.settings)
        if kind.requiresSecret, (request.secret ?? "").isEmpty {
            throw ValidationError(field: "secret", "is required for \(kind.name) channels")
        }
        let sealed = try request.secret.map { secret -> SealedSecret in
            guard Self.secretBytes.contains(secret.utf8.count) else {
                throw ValidationError(field: "secret", "must be 1 to 4096 bytes")
            }
            return try vault.seal(
                secret, owner: SecretLocation.channel(id: 0, tenantID: tenant.id, name: request.name).owner)
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
                        secret: sealed, enabled: request.enabled, createdAt: now))
            } catch let error as StoreError where error.kind == .uniqueViolation {
                throw Failure.conflict("the tenant already has a channel named '\(request.name)'")
            }
            try await transaction.audit(
                "channel.create", by: caller, tenant: tenant.id, target: "channel:\(channel.id)",
                detail: [
                    "kind": .string(kind.name), "name": .string(request.name), "secret_set": .bool(sealed != nil),
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
            let oldOwner = SecretLocation.channel(id: channel.id, tenantID: tenant.id, name: channel.name).owner
            var plaintext: String?
            switch changes.name {
            case .unchanged: break
            case .null: throw ValidationError(field: "name", "cannot be null")
            case .value(let name):
                if name != channel.name {
                    try ChannelKind.validateName(name)
                    // The secret is bound to the name: open it under the old one to seal it under the new.
                    if let sealed = channel.secret { plaintext = try vault.open(sealed, owner: oldOwner) }
                    channel.name = name
                    changed.append("name")
                }
            }
            if let settings = changes.settings {
                try kind?.validate(settings)
                channel.settings = settings
                changed.append("settings")
            }
            switch changes.secret {
            case .unchanged: break
            case .null:
                throw ValidationError(field: "secret", "cannot be null; send a new secret, or delete the channel")
            case .value(let secret):
                guard Self.secretBytes.contains(secret.utf8.count) else {
                    throw ValidationError(field: "secret", "must be 1 to 4096 bytes")
                }
                plaintext = secret
                changed.append("secret")
            }
            if let plaintext {
                channel.secret = try vault.seal(
                    plaintext,
                    owner: SecretLocation.channel(id: channel.id, tenantID: tenant.id, name: channel.name).owner
                )
            }
            if let enabled = changes.enabled {
                if enabled && !channel.enabled {
                    try Self.requireNoOtherEnabled(
                        channel.kind, besides: channel.id, in: try await transaction.channels(of: tenant.id))
                }
                channel.enabled = enabled
                changed.append("enabled")
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
