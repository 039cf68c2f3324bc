import ZCCore

/// A tenant's members: listed for viewers; added, changed and removed by owners, within the plan's
/// limit and never leaving the tenant without an owner. Adding an email that is no user yet invites it:
/// the user is created and signs in with a code.
public struct MemberService: Sendable {
    let store: any Store
    let plans: [String: Plan]

    public init(store: any Store, plans: [String: Plan]) {
        self.store = store
        self.plans = plans
    }

    public func list(of tenant: Tenant) async throws -> [TenantMember] {
        try await store.read { reader in
            var members: [TenantMember] = []
            for member in try await reader.members(of: tenant.id) {
                let email = try await reader.user(id: member.userID)?.email ?? "?"
                members.append(
                    TenantMember(userID: member.userID, email: email, role: member.role, createdAt: member.createdAt))
            }
            return members
        }
    }

    /// Adds `email` with `role`; the members afterwards.
    public func add(
        email rawEmail: String, role: TenantRole, to tenant: Tenant, by caller: Caller
    ) async throws -> [TenantMember] {
        let email = try EmailAddress.normalize(rawEmail)
        let limit = plans[tenant.plan]?.maxMembers ?? Plan.standard.maxMembers
        let now = Timestamp.now()
        try await store.withTransaction { transaction in
            // The member count is checked against the plan under the tenant's lock.
            try await transaction.lockTenant(tenant.id)
            let user: User
            if let existing = try await transaction.user(email: email) {
                user = existing
            } else {
                user = try await transaction.insertUser(try NewUser(email: email, createdAt: now))
                try await transaction.audit(
                    "user.invite", by: caller, tenant: tenant.id, target: "user:\(user.id)",
                    detail: ["email": .string(email)], at: now)
            }
            let members = try await transaction.members(of: tenant.id)
            guard !members.contains(where: { $0.userID == user.id }) else {
                throw Failure.conflict("\(email) is already a member; change the role with PATCH")
            }
            guard members.count < limit else {
                throw Failure.conflict("plan '\(tenant.plan)' allows at most \(limit) members")
            }
            try await transaction.setMembership(
                Membership(tenantID: tenant.id, userID: user.id, role: role, createdAt: now))
            try await transaction.audit(
                "member.add", by: caller, tenant: tenant.id, target: "user:\(user.id)",
                detail: ["role": .string(role.rawValue)], at: now)
        }
        return try await list(of: tenant)
    }

    /// Gives member `userID` the role `role`; the members afterwards.
    public func change(
        _ userID: Int64, to role: TenantRole, in tenant: Tenant, by caller: Caller
    ) async throws -> [TenantMember] {
        try await store.withTransaction { transaction in
            // Two owners demoting each other at once must not both see another owner left.
            try await transaction.lockTenant(tenant.id)
            let members = try await transaction.members(of: tenant.id)
            guard let member = members.first(where: { $0.userID == userID }) else {
                throw Failure.notFound("user \(userID) is not a member")
            }
            try Self.keepsAnOwner(members, changing: userID, to: role)
            try await transaction.setMembership(
                Membership(tenantID: tenant.id, userID: userID, role: role, createdAt: member.createdAt))
            try await transaction.audit(
                "member.update", by: caller, tenant: tenant.id, target: "user:\(userID)",
                detail: ["role": .string(role.rawValue)])
        }
        return try await list(of: tenant)
    }

    public func remove(_ userID: Int64, from tenant: Tenant, by caller: Caller) async throws {
        try await store.withTransaction { transaction in
            try await transaction.lockTenant(tenant.id)
            let members = try await transaction.members(of: tenant.id)
            guard members.contains(where: { $0.userID == userID }) else {
                throw Failure.notFound("user \(userID) is not a member")
            }
            try Self.keepsAnOwner(members, changing: userID, to: nil)
            try await transaction.removeMembership(tenantID: tenant.id, userID: userID)
            try await transaction.audit("member.remove", by: caller, tenant: tenant.id, target: "user:\(userID)")
        }
    }

    /// A tenant that has an owner keeps one.
    static func keepsAnOwner(_ members: [Membership], changing userID: Int64, to role: TenantRole?) throws {
        let owners = members.filter { $0.role == .owner }
        guard owners.count == 1, owners[0].userID == userID, role != .owner else { return }
        throw Failure.conflict(
            "the tenant's last owner cannot be removed or demoted; make another member owner first")
    }
}
