import ZCCore
import ZCHTTP

/// `/api/tenants/{id}/config`: the agent's provider, model and settings (viewers read; managers change,
/// `TenantConfigService`); the API key is write-only: it reads back as `api_key_set`.
struct TenantConfigController: Sendable {
    let configs: TenantConfigService
    let authorizer: Authorizer

    func register(in router: inout Router) {
        router.get("/api/tenants/{id}/config", read)
        router.patch("/api/tenants/{id}/config", update)
    }

    @Sendable func read(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (_, tenant) = try await authorizer.require(.readConfig, tenant: context.parameter("id"), context)
        return JSONBody.response(Self.view(try await configs.config(of: tenant)))
    }

    @Sendable func update(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.changeConfig, tenant: context.parameter("id"), context)
        let fields = try JSONFields(request, allowed: ["provider", "model", "settings", "api_key"])
        var changes = TenantConfigService.Changes()
        changes.provider = FieldUpdate(try fields.string("provider"))
        changes.model = FieldUpdate(try fields.string("model"))
        changes.settings = try fields.object("settings")
        changes.apiKey = FieldUpdate(try fields.string("api_key"))
        return JSONBody.response(Self.view(try await configs.update(tenant, changes: changes, by: caller)))
    }

    static func view(_ config: TenantConfig?) -> ConfigView {
        ConfigView(
            provider: config?.provider, model: config?.model, settings: config?.settings ?? [:],
            apiKeySet: config?.apiKey != nil, updatedAt: config?.updatedAt)
    }
}
