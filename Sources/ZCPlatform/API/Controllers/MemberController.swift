import ZCCore
import ZCHTTP

/// `/api/tenants/{id}/members`: viewers list; owners add, change and remove (`MemberService`).
struct MemberController: Sendable {
    struct Add: StrictDecodable {
        let email: String
        let role: String
        static let fields: Set<String> = ["email", "role"]
    }

    struct Change: StrictDecodable {
        let role: String
        static let fields: Set<String> = ["role"]
    }

    let members: MemberService
    let authorizer: Authorizer

    func register(in router: inout Router) {
        router.get("/api/tenants/{id}/members", list)
        router.post("/api/tenants/{id}/members", add)
        router.patch("/api/tenants/{id}/members/{user_id}", change)
        router.delete("/api/tenants/{id}/members/{user_id}", remove)
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (_, tenant) = try await authorizer.require(.listMembers, tenant: context.parameter("id"), context)
        return JSONBody.response(try await members.list(of: tenant).map(MemberView.init))
    }

    @Sendable func add(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.manageMembers, tenant: context.parameter("id"), context)
        let body = try JSONBody.decode(Add.self, from: request)
        let role = try TenantRole(validating: body.role)
        let after = try await members.add(email: body.email, role: role, to: tenant, by: caller)
        return JSONBody.response(after.map(MemberView.init), status: .created)
    }

    @Sendable func change(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.manageMembers, tenant: context.parameter("id"), context)
        let userID = try Self.memberID(context)
        let role = try TenantRole(validating: try JSONBody.decode(Change.self, from: request).role)
        return JSONBody.response(
            try await members.change(userID, to: role, in: tenant, by: caller).map(MemberView.init))
    }

    @Sendable func remove(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.manageMembers, tenant: context.parameter("id"), context)
        try await members.remove(try Self.memberID(context), from: tenant, by: caller)
        return HTTPResponse(status: .noContent)
    }

    static func memberID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameter("user_id")), id > 0 else {
            throw HTTPError(.notFound, "no such member")
        }
        return id
    }
}
