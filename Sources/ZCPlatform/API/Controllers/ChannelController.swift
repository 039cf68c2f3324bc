import ZCCore
import ZCHTTP

/// `/api/tenants/{id}/channels`: viewers list (secrets only as `secrets_set`, the fields that hold one);
/// managers create, change and delete (`ChannelService`). Secrets come as `"secrets": {"bot_token": "…",
/// "app_token": "…"}`; the first form, a lone `"secret"`, still sets the kind's first secret field.
struct ChannelController: Sendable {
    struct Create: StrictDecodable {
        let kind: String
        let name: String
        let settings: [String: JSONValue]?
        let secret: String?
        let secrets: [String: String]?
        let enabled: Bool?
        static let fields: Set<String> = ["kind", "name", "settings", "secret", "secrets", "enabled"]
    }

    let channels: ChannelService
    let authorizer: Authorizer

    func register(in router: inout Router) {
        router.get("/api/tenants/{id}/channels", list)
        router.post("/api/tenants/{id}/channels", create)
        router.patch("/api/tenants/{id}/channels/{channel_id}", update)
        router.delete("/api/tenants/{id}/channels/{channel_id}", delete)
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (_, tenant) = try await authorizer.require(.listChannels, tenant: context.parameter("id"), context)
        return JSONBody.response(try await channels.list(of: tenant).map(ChannelView.init))
    }

    @Sendable func create(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.changeChannels, tenant: context.parameter("id"), context)
        let body = try JSONBody.decode(Create.self, from: request)
        var secrets = body.secrets ?? [:]
        if let secret = body.secret {
            guard body.secrets == nil else {
                throw ValidationError(field: "secret", "give either secret or secrets, not both")
            }
            secrets[ChannelKind.named(body.kind)?.primarySecretField ?? "secret"] = secret
        }
        let channel = try await channels.create(
            ChannelService.NewChannelRequest(
                kind: body.kind, name: body.name, settings: body.settings ?? [:], secrets: secrets,
                enabled: body.enabled ?? true),
            in: tenant, by: caller)
        return JSONBody.response(ChannelView(channel), status: .created)
    }

    @Sendable func update(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.changeChannels, tenant: context.parameter("id"), context)
        let id = try Self.channelID(context)
        let fields = try JSONFields(request, allowed: ["name", "settings", "secret", "secrets", "enabled"])
        var changes = ChannelService.Changes()
        changes.name = FieldUpdate(try fields.string("name"))
        changes.settings = try fields.object("settings")
        (changes.secret, changes.secrets) = try Self.secretChanges(fields)
        changes.enabled = try fields.bool("enabled")
        return JSONBody.response(ChannelView(try await channels.update(id, in: tenant, changes: changes, by: caller)))
    }

    @Sendable func delete(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.changeChannels, tenant: context.parameter("id"), context)
        try await channels.delete(try Self.channelID(context), in: tenant, by: caller)
        return HTTPResponse(status: .noContent)
    }

    /// The lone `secret` of the first form (the service sets the kind's first secret field with it), and
    /// `secrets`: an object of strings, a null removing a field.
    static func secretChanges(_ fields: JSONFields) throws -> (String?, [String: FieldUpdate<String>]) {
        let object = try fields.object("secrets")
        var single: String?
        switch FieldUpdate(try fields.string("secret")) {
        case .unchanged: break
        case .null:
            throw ValidationError(field: "secret", "cannot be null; send a new secret, or delete the channel")
        case .value(let secret):
            guard object == nil else {
                throw ValidationError(field: "secret", "give either secret or secrets, not both")
            }
            single = secret
        }
        var changes: [String: FieldUpdate<String>] = [:]
        for (field, value) in object ?? [:] {
            switch value {
            case .string(let secret): changes[field] = .value(secret)
            case .null: changes[field] = .null
            default: throw ValidationError(field: "secrets.\(field)", "must be a string, or null to remove it")
            }
        }
        return (single, changes)
    }

    static func channelID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameter("channel_id")), id > 0 else {
            throw HTTPError(.notFound, "no such channel")
        }
        return id
    }
}
