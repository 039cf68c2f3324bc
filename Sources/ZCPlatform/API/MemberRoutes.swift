import ZCCore
import ZCHTTP

/// `/api/tenants/{id}/members`: viewers list; owners add, change and remove (within the plan's limit,
/// never leaving the tenant without an owner).
enum MemberRoutes {
    struct Add: StrictDecodable {
        let email: String
        let role: String
        static let fields: Set<String> = ["email", "role"]
    }

    struct Change: StrictDecodable {
        let role: String
        static let fields: Set<String> = ["role"]
    }

    static func register(
        in router: inout Router, store: any Store, authorizer: Authorizer, configuration: PlatformConfiguration
    ) {
        router.get("/api/tenants/{id}/members") { _, context in
            let (_, tenant) = try await authorizer.require(.listMembers, tenant: try context.parameter("id"), context)
            return JSONBody.response(try await views(of: tenant.id, store: store))
        }
        router.post("/api/tenants/{id}/members") { request, context in
            let (principal, tenant) = try await authorizer.require(
                .manageMembers, tenant: try context.parameter("id"), context)
            let body = try JSONBody.decode(Add.self, from: request)
            let role = try parseRole(body.role)
            let email = try EmailAddress.normalize(body.email)
            let limit = configuration.plans[tenant.plan]?.maxMembers ?? Plan.standard.maxMembers
            let now = Timestamp.now()
            try await store.withTransaction { transaction in
                // The member count is checked against the plan under the tenant's lock.
                try await transaction.lockTenant(tenant.id)
                // An email that is no user yet is an invitation: the user is created, and signs in with a code.
                let user: User
                if let existing = try await transaction.user(email: email) {
                    user = existing
                } else {
                    user = try await transaction.insertUser(try NewUser(email: email, createdAt: now))
                    try await transaction.appendAudit(
                        NewAuditEvent(
                            at: now, actor: principal.actor, action: "user.invite", tenantID: tenant.id.rawValue,
                            target: "user:\(user.id)", clientIP: context.remoteAddress,
                            detail: ["email": .string(email)]))
                }
                let members = try await transaction.members(of: tenant.id)
                guard !members.contains(where: { $0.userID == user.id }) else {
                    throw HTTPError(.conflict, "\(email) is already a member; change the role with PATCH")
                }
                guard members.count < limit else {
                    throw HTTPError(.conflict, "plan '\(tenant.plan)' allows at most \(limit) members")
                }
                try await transaction.setMembership(
                    Membership(tenantID: tenant.id, userID: user.id, role: role, createdAt: now))
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now, actor: principal.actor, action: "member.add", tenantID: tenant.id.rawValue,
                        target: "user:\(user.id)", clientIP: context.remoteAddress,
                        detail: ["role": .string(role.rawValue)]))
            }
            return JSONBody.response(try await views(of: tenant.id, store: store), status: .created)
        }
        router.patch("/api/tenants/{id}/members/{user_id}") { request, context in
            let (principal, tenant) = try await authorizer.require(
                .manageMembers, tenant: try context.parameter("id"), context)
            let userID = try memberID(context)
            let role = try parseRole(try JSONBody.decode(Change.self, from: request).role)
            try await store.withTransaction { transaction in
                // Two owners demoting each other at once must not both see another owner left.
                try await transaction.lockTenant(tenant.id)
                let members = try await transaction.members(of: tenant.id)
                guard let member = members.first(where: { $0.userID == userID }) else {
                    throw HTTPError(.notFound, "user \(userID) is not a member")
                }
                try keepsAnOwner(members, changing: userID, to: role)
                try await transaction.setMembership(
                    Membership(tenantID: tenant.id, userID: userID, role: role, createdAt: member.createdAt))
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: .now(), actor: principal.actor, action: "member.update", tenantID: tenant.id.rawValue,
                        target: "user:\(userID)", clientIP: context.remoteAddress,
                        detail: ["role": .string(role.rawValue)]))
            }
            return JSONBody.response(try await views(of: tenant.id, store: store))
        }
        router.delete("/api/tenants/{id}/members/{user_id}") { _, context in
            let (principal, tenant) = try await authorizer.require(
                .manageMembers, tenant: try context.parameter("id"), context)
            let userID = try memberID(context)
            try await store.withTransaction { transaction in
                try await transaction.lockTenant(tenant.id)
                let members = try await transaction.members(of: tenant.id)
                guard members.contains(where: { $0.userID == userID }) else {
                    throw HTTPError(.notFound, "user \(userID) is not a member")
                }
                try keepsAnOwner(members, changing: userID, to: nil)
                try await transaction.removeMembership(tenantID: tenant.id, userID: userID)
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: .now(), actor: principal.actor, action: "member.remove", tenantID: tenant.id.rawValue,
                        target: "user:\(userID)", clientIP: context.remoteAddress))
            }
            return HTTPResponse(status: .noContent)
        }
    }

    static func views(of tenantID: TenantID, store: any Store) async throws -> [MemberView] {
        try await store.read { reader in
            var views: [MemberView] = []
            for member in try await reader.members(of: tenantID) {
                let email = try await reader.user(id: member.userID)?.email ?? "?"
                views.append(
                    MemberView(
                        userId: member.userID, email: email, role: member.role.rawValue, createdAt: member.createdAt))
            }
            return views
        }
    }

    static func parseRole(_ text: String) throws -> TenantRole {
        guard let role = TenantRole(rawValue: text) else {
            throw ValidationError(
                field: "role", "must be one of \(TenantRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }

    static func memberID(_ context: RequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameter("user_id")), id > 0 else {
            throw HTTPError(.notFound, "no such member")
        }
        return id
    }

    /// A tenant that has an owner keeps one.
    static func keepsAnOwner(_ members: [Membership], changing userID: Int64, to role: TenantRole?) throws {
        let owners = members.filter { $0.role == .owner }
        guard owners.count == 1, owners[0].userID == userID, role != .owner else { return }
        throw HTTPError(
            .conflict, "the tenant's last owner cannot be removed or demoted; make another member owner first")
    }
}
