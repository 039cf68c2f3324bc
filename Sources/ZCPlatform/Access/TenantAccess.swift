import ZCCore

/// Checks a caller against an operation's minimum role, reading the caller's membership from the store
/// on this call. A tenant the caller may not see is answered as if it did not exist (not found), so
/// tenants stay invisible to each other; a visible tenant without the role is forbidden.
public struct TenantAccess: Sendable {
    let store: any Store

    public init(store: any Store) {
        self.store = store
    }

    /// For platform-wide operations (users, fleet, audit, creating tenants).
    public func require(_ operation: PlatformOperation, by caller: Caller) throws {
        switch AccessPolicy.decide(isSuperAdmin: caller.isSuperAdmin, role: nil, requirement: operation.requirement) {
        case .allowed: return
        case .hidden, .forbidden: throw Failure.forbidden("requires \(operation.requirement)")
        }
    }

    /// For operations on one tenant: the tenant, when the caller may do `operation` on it.
    public func tenant(_ rawID: String, for operation: PlatformOperation, by caller: Caller) async throws -> Tenant {
        try await tenantAndRole(rawID, for: operation, by: caller).tenant
    }

    /// The tenant, when the caller may do `operation` on it, with the caller's role there (nil for a
    /// super-admin who is not a member).
    public func tenantAndRole(
        _ rawID: String, for operation: PlatformOperation, by caller: Caller
    ) async throws -> (tenant: Tenant, role: TenantRole?) {
        let notFound = Failure.notFound("tenant '\(rawID)' not found")
        guard let id = try? TenantID(rawID) else { throw notFound }
        let (tenant, role) = try await store.read { reader in
            (
                try await reader.tenant(id),
                try await caller.user.asyncMap { try await reader.role(ofUser: $0.id, in: id) }
            )
        }
        switch AccessPolicy.decide(
            isSuperAdmin: caller.isSuperAdmin, role: role ?? nil, requirement: operation.requirement)
        {
        case .allowed:
            guard let tenant else { throw notFound }
            return (tenant, role ?? nil)
        case .hidden: throw notFound
        case .forbidden: throw Failure.forbidden("requires \(operation.requirement) on tenant '\(rawID)'")
        }
    }
}

extension Optional where Wrapped: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async throws -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
