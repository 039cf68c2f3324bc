import ZCCore
import ZCHTTP

/// `/api/users` (super-admin): list, create, change flags, delete (`UserService`).
struct UserController: Sendable {
    struct Create: StrictDecodable {
        let email: String
        let isSuperAdmin: Bool?
        static let fields: Set<String> = ["email", "is_super_admin"]
    }

    let users: UserService
    let authorizer: Authorizer

    func register(in router: inout Router) {
        router.get("/api/users", list)
        router.post("/api/users", create)
        router.patch("/api/users/{id}", update)
        router.delete("/api/users/{id}", delete)
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.manageUsers, context)
        return JSONBody.response(try await users.list().map(UserView.init))
    }

    @Sendable func create(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageUsers, context)
        let body = try JSONBody.decode(Create.self, from: request)
        let user = try await users.create(email: body.email, isSuperAdmin: body.isSuperAdmin ?? false, by: caller)
        return JSONBody.response(UserView(user), status: .created)
    }

    @Sendable func update(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageUsers, context)
        let id = try Self.userID(context)
        let fields = try JSONFields(request, allowed: ["is_super_admin", "is_disabled"])
        let user = try await users.update(
            id, superAdmin: try fields.bool("is_super_admin"), disabled: try fields.bool("is_disabled"), by: caller)
        return JSONBody.response(UserView(user))
    }

    @Sendable func delete(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageUsers, context)
        try await users.delete(try Self.userID(context), by: caller)
        return HTTPResponse(status: .noContent)
    }

    static func userID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameter("id")), id > 0 else { throw HTTPError(.notFound, "no such user") }
        return id
    }
}
