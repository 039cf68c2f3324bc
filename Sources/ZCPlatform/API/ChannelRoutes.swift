import ZCCore
import ZCCrypto
import ZCHTTP

/// `/api/tenants/{id}/channels`: viewers list (secrets only as `secret_set`); managers create, change
/// and delete within the plan's limit. Secrets are sealed by the vault, bound to tenant and channel name.
enum ChannelRoutes {
    struct Create: StrictDecodable {
        let kind: String
        let name: String
        let settings: [String: JSONValue]?
        let secret: String?
        let enabled: Bool?
        static let fields: Set<String> = ["kind", "name", "settings", "secret", "enabled"]
    }

    static func register(
        in router: inout Router, store: any Store, authorizer: Authorizer, vault: Vault,
        configuration: PlatformConfiguration, lifecycle: TenantLifecycle
    ) {
        router.get("/api/tenants/{id}/channels") { _, context in
            let (_, tenant) = try await authorizer.require(.listChannels, tenant: try context.parameter("id"), context)
            return JSONBody.response(
                try await store.read { try await $0.channels(of: tenant.id) }.map(ChannelView.init))
        }
        router.post("/api/tenants/{id}/channels") { request, context in
            let (principal, tenant) = try await authorizer.require(
                .changeChannels, tenant: try context.parameter("id"), context)
            let body = try JSONBody.decode(Create.self, from: request)
            guard let kind = ChannelKind.named(body.kind) else {
                throw ValidationError(
                    field: "kind",
                    "unknown channel kind (known: \(ChannelKind.all.map(\.name).joined(separator: ", ")))")
            }
            try ChannelKind.validateName(body.name)
            let settings = body.settings ?? [:]
            try kind.validate(settings)
            if kind.requiresSecret, (body.secret ?? "").isEmpty {
                throw ValidationError(field: "secret", "is required for \(kind.name) channels")
            }
            let sealed = try body.secret.map { secret -> SealedSecret in
                guard (1...4096).contains(secret.utf8.count) else {
                    throw ValidationError(field: "secret", "must be 1 to 4096 bytes")
                }
                return try vault.seal(
                    secret, owner: SecretLocation.channel(id: 0, tenantID: tenant.id, name: body.name).owner)
            }
            let limit = configuration.plans[tenant.plan]?.maxChannels ?? Plan.standard.maxChannels
            let now = Timestamp.now()
            let enabled = body.enabled ?? true
            let channel = try await store.withTransaction { transaction in
                // The plan's limit and the one enabled channel of a kind are checked under the tenant's lock.
                try await transaction.lockTenant(tenant.id)
                let existing = try await transaction.channels(of: tenant.id)
                guard existing.count < limit else {
                    throw HTTPError(.conflict, "plan '\(tenant.plan)' allows at most \(limit) channels")
                }
                if enabled { try requireNoOtherEnabled(kind.name, besides: nil, in: existing) }
                let channel: Channel
                do {
                    channel = try await transaction.insertChannel(
                        NewChannel(
                            tenantID: tenant.id, kind: kind.name, name: body.name, settings: settings, secret: sealed,
                            enabled: enabled, createdAt: now))
                } catch let error as StoreError where error.kind == .uniqueViolation {
                    throw HTTPError(.conflict, "the tenant already has a channel named '\(body.name)'")
                }
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now, actor: principal.actor, action: "channel.create", tenantID: tenant.id.rawValue,
                        target: "channel:\(channel.id)", clientIP: context.remoteAddress,
                        detail: [
                            "kind": .string(kind.name), "name": .string(body.name), "secret_set": .bool(sealed != nil),
                        ]))
                return channel
            }
            lifecycle.configurationChanged(tenant.id, actor: principal.actor)
            return JSONBody.response(ChannelView(channel), status: .created)
        }
        router.patch("/api/tenants/{id}/channels/{channel_id}") { request, context in
            let (principal, tenant) = try await authorizer.require(
                .changeChannels, tenant: try context.parameter("id"), context)
            let channelID = try channelID(context)
            let fields = try JSONFields(request, allowed: ["name", "settings", "secret", "enabled"])
            let now = Timestamp.now()
            let updated = try await store.withTransaction { transaction in
                // Read under the tenant's lock: a rename re-seals the secret it read, and a concurrent secret
                // change (or rename) must not be lost to it or sealed under the wrong name.
                try await transaction.lockTenant(tenant.id)
                guard var channel = try await transaction.channel(id: channelID), channel.tenantID == tenant.id else {
                    throw HTTPError(.notFound, "channel \(channelID) not found")
                }
                let kind = ChannelKind.named(channel.kind)
                var changed: [String] = []
                let oldOwner = SecretLocation.channel(id: channel.id, tenantID: tenant.id, name: channel.name).owner
                var plaintext: String?
                let newName = try fields.string("name")
                if case .some(.none) = newName { throw ValidationError(field: "name", "cannot be null") }
                if case .some(.some(let name)) = newName, name != channel.name {
                    try ChannelKind.validateName(name)
                    // The secret is bound to the name: open it under the old one to seal it under the new.
                    if let sealed = channel.secret { plaintext = try vault.open(sealed, owner: oldOwner) }
                    channel.name = name
                    changed.append("name")
                }
                if let settings = try fields.object("settings") {
                    try kind?.validate(settings)
                    channel.settings = settings
                    changed.append("settings")
                }
                switch try fields.string("secret") {
                case .none: break
                case .some(.none):
                    throw ValidationError(field: "secret", "cannot be null; send a new secret, or delete the channel")
                case .some(.some(let secret)):
                    guard !secret.isEmpty, secret.utf8.count <= 4096 else {
                        throw ValidationError(field: "secret", "must be 1 to 4096 bytes")
                    }
                    plaintext = secret
                    changed.append("secret")
                }
                if let plaintext {
                    channel.secret = try vault.seal(
                        plaintext,
                        owner: SecretLocation.channel(id: channel.id, tenantID: tenant.id, name: channel.name).owner)
                }
                if let enabled = try fields.bool("enabled") {
                    if enabled && !channel.enabled {
                        try requireNoOtherEnabled(
                            channel.kind, besides: channel.id, in: try await transaction.channels(of: tenant.id))
                    }
                    channel.enabled = enabled
                    changed.append("enabled")
                }
                channel.updatedAt = now
                do {
                    try await transaction.updateChannel(channel)
                } catch let error as StoreError where error.kind == .uniqueViolation {
                    throw HTTPError(.conflict, "the tenant already has a channel named '\(channel.name)'")
                }
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now, actor: principal.actor, action: "channel.update", tenantID: tenant.id.rawValue,
                        target: "channel:\(channel.id)", clientIP: context.remoteAddress,
                        detail: ["changed": .array(changed.map(JSONValue.string))]))
                return channel
            }
            lifecycle.configurationChanged(tenant.id, actor: principal.actor)
            return JSONBody.response(ChannelView(updated))
        }
        router.delete("/api/tenants/{id}/channels/{channel_id}") { _, context in
            let (principal, tenant) = try await authorizer.require(
                .changeChannels, tenant: try context.parameter("id"), context)
            let channelID = try channelID(context)
            try await store.withTransaction { transaction in
                guard let channel = try await transaction.channel(id: channelID), channel.tenantID == tenant.id else {
                    throw HTTPError(.notFound, "channel \(channelID) not found")
                }
                try await transaction.deleteChannel(id: channelID)
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: .now(), actor: principal.actor, action: "channel.delete", tenantID: tenant.id.rawValue,
                        target: "channel:\(channelID)", clientIP: context.remoteAddress,
                        detail: ["name": .string(channel.name)]))
            }
            lifecycle.configurationChanged(tenant.id, actor: principal.actor)
            return HTTPResponse(status: .noContent)
        }
    }

    /// The agent takes one enabled channel of each kind: a second is a conflict, refused when it is made
    /// rather than when the agent's config is next written.
    static func requireNoOtherEnabled(_ kind: String, besides id: Int64?, in channels: [Channel]) throws {
        if let other = channels.first(where: { $0.kind == kind && $0.enabled && $0.id != id }) {
            throw HTTPError(
                .conflict,
                "the tenant already has an enabled \(kind) channel ('\(other.name)'); the agent takes one of each kind: disable or delete it first, or create this one with \"enabled\": false"
            )
        }
    }

    static func channelID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameter("channel_id")), id > 0 else {
            throw HTTPError(.notFound, "no such channel")
        }
        return id
    }
}
