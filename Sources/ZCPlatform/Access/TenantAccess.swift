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
        guard let id = try? TenantID(rawID) else { throw Self.notFound(rawID) }
        let userID = caller.user?.id
        // One statement: the tenant and the caller's membership.
        let found = try await store.read { reader -> (tenant: Tenant, role: TenantRole?)? in
            if let userID { return try await reader.tenant(id, roleOfUser: userID) }
            return try await reader.tenant(id).map { ($0, nil) }
        }
        switch AccessPolicy.decide(
            isSuperAdmin: caller.isSuperAdmin, role: found?.role, requirement: operation.requirement)
        {
        case .allowed:
            guard let found else { throw Self.notFound(rawID) }
            return found
        case .hidden: throw Self.notFound(rawID)
        case .forbidden: throw Failure.forbidden("requires \(operation.requirement) on tenant '\(rawID)'")
        }
    }

    private static func notFound(_ rawID: String) -> Failure { Failure.notFound("tenant '\(rawID)' not found") }
}
