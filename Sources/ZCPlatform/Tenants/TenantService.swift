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
        let draft = Tenant(id: id, name: name, plan: plan, status: .draft, createdAt: now)
        do {
            return try await store.withTransaction { transaction in
                var tenant = draft
                // The fleet's current release; its node pins it at the first deploy.
                tenant.image = try await transaction.agentRelease()
                try await transaction.insertTenant(tenant)
                try await transaction.audit(
                    "tenant.create", by: caller, tenant: id, detail: ["name": .string(name), "plan": .string(plan)],
                    at: now)
                return tenant
            }
        } catch let error as StoreError where error.kind == .uniqueViolation {
            throw Failure.conflict("tenant '\(id)' already exists")
        }
    }

    /// Renames the tenant, or pins it to its image (rollouts pass a pinned tenant by); audited as
    /// `tenant.updated` with what changed.
    public func update(_ id: TenantID, name: String?, imagePinned: Bool?, by caller: Caller) async throws -> Tenant {
        if let name { try Tenant.validateName(name) }
        return try await store.withTransaction { transaction in
            guard var tenant = try await transaction.tenant(id), tenant.status != .deleted else {
                throw Failure.notFound("tenant '\(id)' not found")
            }
            var detail: [String: JSONValue] = [:]
            if let name, name != tenant.name {
                detail["name"] = .string(name)
                tenant.name = name
            }
            if let imagePinned, imagePinned != tenant.imagePinned {
                detail["image_pinned"] = .bool(imagePinned)
                detail["image"] = tenant.image.map(JSONValue.string) ?? .null
                tenant.imagePinned = imagePinned
            }
            guard !detail.isEmpty else { return tenant }
            tenant.updatedAt = .now()
            try await transaction.updateTenant(tenant)
            try await transaction.audit("tenant.updated", by: caller, tenant: id, detail: detail)
            return tenant
        }
    }

    /// The tenants `user` is a member of, each with the user's role there.
    public func memberships(of user: User) async throws -> [(tenant: TenantID, role: TenantRole)] {
        try await store.read { try await $0.roles(ofUser: user.id) }
    }
}
