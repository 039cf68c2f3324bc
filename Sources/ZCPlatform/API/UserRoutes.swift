import ZCCore
import ZCHTTP

/// `/api/users` (super-admin): list, create, change flags, delete.
enum UserRoutes {
    struct Create: StrictDecodable {
        let email: String
        let isSuperAdmin: Bool?
        static let fields: Set<String> = ["email", "is_super_admin"]
    }

    static func register(in router: inout Router, store: any Store, authorizer: Authorizer) {
        router.get("/api/users") { _, context in
            _ = try authorizer.require(.manageUsers, context)
            return JSONBody.response(try await store.read { try await $0.users() }.map(UserView.init))
        }
        router.post("/api/users") { request, context in
            let principal = try authorizer.require(.manageUsers, context)
            let body = try JSONBody.decode(Create.self, from: request)
            let now = Timestamp.now()
            let newUser = try NewUser(email: body.email, isSuperAdmin: body.isSuperAdmin ?? false, createdAt: now)
            let user = try await store.withTransaction { transaction in
                let user = try await transaction.insertUser(newUser)
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now, actor: principal.actor, action: "user.create", target: "user:\(user.id)",
                        clientIP: context.remoteAddress,
                        detail: ["email": .string(user.email), "is_super_admin": .bool(user.isSuperAdmin)]))
                return user
            }
            return JSONBody.response(UserView(user), status: .created)
        }
        router.patch("/api/users/{id}") { request, context in
            let principal = try authorizer.require(.manageUsers, context)
            let id = try userID(context)
            let fields = try JSONFields(request, allowed: ["is_super_admin", "is_disabled"])
            let makeAdmin = try fields.bool("is_super_admin")
            let disable = try fields.bool("is_disabled")
            if id == principal.user.id, makeAdmin == false || disable == true {
                throw HTTPError(.conflict, "you cannot remove your own super-admin flag or disable yourself")
            }
            let now = Timestamp.now()
            let user = try await store.withTransaction { transaction in
                guard var user = try await transaction.user(id: id) else {
                    throw HTTPError(.notFound, "user \(id) not found")
                }
                if let makeAdmin { user.isSuperAdmin = makeAdmin }
                if let disable { user.isDisabled = disable }
                try await transaction.updateUser(user)
                var detail: [String: JSONValue] = [:]
                if let makeAdmin { detail["is_super_admin"] = .bool(makeAdmin) }
                if let disable { detail["is_disabled"] = .bool(disable) }
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now, actor: principal.actor, action: "user.update", target: "user:\(id)",
                        clientIP: context.remoteAddress, detail: detail))
                return user
            }
            return JSONBody.response(UserView(user))
        }
        router.delete("/api/users/{id}") { _, context in
            let principal = try authorizer.require(.manageUsers, context)
            let id = try userID(context)
            guard id != principal.user.id else { throw HTTPError(.conflict, "you cannot delete yourself") }
            try await store.withTransaction { transaction in
                guard try await transaction.deleteUser(id: id) else {
                    throw HTTPError(.notFound, "user \(id) not found")
                }
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: .now(), actor: principal.actor, action: "user.delete", target: "user:\(id)",
                        clientIP: context.remoteAddress))
            }
            return HTTPResponse(status: .noContent)
        }
    }

    static func userID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameter("id")), id > 0 else { throw HTTPError(.notFound, "no such user") }
        return id
    }
}
