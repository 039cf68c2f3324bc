import ZCCore

/// The tenants themselves: created as drafts (the one place a tenant is made, for the API and the demo
/// alike) and listed, members seeing only theirs. Deploying, starting and the rest are `TenantLifecycle`.
public struct TenantService: Sendable {
    let store: any Store
    let plans: [String: Plan]

    public init(store: any Store, plans: [String: Plan]) {
        self.store = store
        self.plans = plans
    }

    /// A page of tenants: every tenant for a super-admin, the caller's own for anyone else.
    public func list(_ filter: TenantFilter, by caller: Caller) async throws -> [Tenant] {
        var page = filter
        if !caller.isSuperAdmin { page.memberUserID = caller.user?.id ?? -1 }
        let query = page
        return try await store.read { try await $0.tenants(query) }
    }

    /// Creates tenant `id` as a draft on `plan` ("default" when nil).
    public func create(id rawID: String, name: String, plan: String?, by caller: Caller) async throws -> Tenant {
        let id = try TenantID(rawID)
        try Tenant.validateName(name)
        let plan = plan ?? "default"
        guard plans[plan] != nil else {
            throw ValidationError(
                field: "plan", "unknown plan '\(plan)' (plans: \(plans.keys.sorted().joined(separator: ", ")))")
        }
        let now = Timestamp.now()
        let tenant = Tenant(id: id, name: name, plan: plan, status: .draft, createdAt: now)
        do {
            try await store.withTransaction { transaction in
                try await transaction.insertTenant(tenant)
                try await transaction.audit(
                    "tenant.create", by: caller, tenant: id, detail: ["name": .string(name), "plan": .string(plan)],
                    at: now)
            }
        } catch let error as StoreError where error.kind == .uniqueViolation {
            throw Failure.conflict("tenant '\(id)' already exists")
        }
        return tenant
    }

    /// The tenants `user` is a member of, each with the user's role there.
    public func memberships(of user: User) async throws -> [(tenant: TenantID, role: TenantRole)] {
        try await store.read { try await $0.roles(ofUser: user.id) }
    }
}
