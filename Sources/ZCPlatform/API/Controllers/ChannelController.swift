import ZCCore
import ZCHTTP

/// `/api/tenants/{id}/channels`: viewers list (secrets only as `secret_set`); managers create, change
/// and delete (`ChannelService`).
struct ChannelController: Sendable {
    struct Create: StrictDecodable {
        let kind: String
        let name: String
        let settings: [String: JSONValue]?
        let secret: String?
        let enabled: Bool?
        static let fields: Set<String> = ["kind", "name", "settings", "secret", "enabled"]
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
        let channel = try await channels.create(
            ChannelService.NewChannelRequest(
                kind: body.kind, name: body.name, settings: body.settings ?? [:], secret: body.secret,
                enabled: body.enabled ?? true),
            in: tenant, by: caller)
        return JSONBody.response(ChannelView(channel), status: .created)
    }

    @Sendable func update(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.changeChannels, tenant: context.parameter("id"), context)
        let id = try Self.channelID(context)
        let fields = try JSONFields(request, allowed: ["name", "settings", "secret", "enabled"])
        var changes = ChannelService.Changes()
        changes.name = FieldUpdate(try fields.string("name"))
        changes.settings = try fields.object("settings")
        changes.secret = FieldUpdate(try fields.string("secret"))
        changes.enabled = try fields.bool("enabled")
        return JSONBody.response(ChannelView(try await channels.update(id, in: tenant, changes: changes, by: caller)))
    }

    @Sendable func delete(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.changeChannels, tenant: context.parameter("id"), context)
        try await channels.delete(try Self.channelID(context), in: tenant, by: caller)
        return HTTPResponse(status: .noContent)
    }

    static func channelID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameter("channel_id")), id > 0 else {
            throw HTTPError(.notFound, "no such channel")
        }
        return id
    }
}
