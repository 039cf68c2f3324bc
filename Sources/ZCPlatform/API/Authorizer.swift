import ZCCore
import ZCHTTP

/// Checks a caller against an operation's minimum role, reading the caller's membership from the store
/// on this request. A tenant the caller may not see is answered as if it did not exist (404), so tenants
/// stay invisible to each other; a visible tenant without the role is a 403.
struct Authorizer: Sendable {
    let store: any Store

    /// For platform-wide operations (users, fleet, audit, creating tenants).
    func require(_ operation: PlatformOperation, _ context: RequestContext) throws -> Principal {
        let principal = try context.principal()
        switch AccessPolicy.decide(
            isSuperAdmin: principal.user.isSuperAdmin, role: nil, requirement: operation.requirement)
        {
        case .allowed: return principal
        case .hidden, .forbidden: throw HTTPError(.forbidden, "requires \(operation.requirement)")
        }
    }

    /// For operations on one tenant: returns the caller and the tenant, or answers 404/403.
    func require(
        _ operation: PlatformOperation, tenant rawID: String, _ context: RequestContext
    ) async throws -> (
        Principal, Tenant
    ) {
        let principal = try context.principal()
        guard let id = try? TenantID(rawID) else { throw HTTPError(.notFound, "tenant '\(rawID)' not found") }
        let (tenant, role) = try await store.read { reader in
            (try await reader.tenant(id), try await reader.role(ofUser: principal.user.id, in: id))
        }
        switch AccessPolicy.decide(
            isSuperAdmin: principal.user.isSuperAdmin, role: role, requirement: operation.requirement)
        {
        case .allowed:
            guard let tenant else { throw HTTPError(.notFound, "tenant '\(rawID)' not found") }
            return (principal, tenant)
        case .hidden:
            throw HTTPError(.notFound, "tenant '\(rawID)' not found")
        case .forbidden:
            throw HTTPError(.forbidden, "requires \(operation.requirement) on tenant '\(rawID)'")
        }
    }
}
