import ZCCore
import ZCHTTP

/// The request's caller, checked against an operation (`TenantAccess`) before a controller decodes
/// anything: an unauthorised request learns nothing from its body's faults.
struct Authorizer: Sendable {
    let access: TenantAccess

    /// For platform-wide operations (users, fleet, audit, creating tenants).
    func require(_ operation: PlatformOperation, _ context: RequestContext) throws -> Caller {
        let caller = try context.caller()
        try access.require(operation, by: caller)
        return caller
    }

    /// For operations on one tenant: the caller and the tenant.
    func require(
        _ operation: PlatformOperation, tenant rawID: @autoclosure () throws -> String, _ context: RequestContext
    ) async throws -> (Caller, Tenant) {
        let caller = try context.caller()
        return (caller, try await access.tenant(try rawID(), for: operation, by: caller))
    }

    /// For reading one tenant: the caller, the tenant and the caller's role in it.
    func requireWithRole(
        _ operation: PlatformOperation, tenant rawID: @autoclosure () throws -> String, _ context: RequestContext
    ) async throws -> (Caller, Tenant, TenantRole?) {
        let caller = try context.caller()
        let (tenant, role) = try await access.tenantAndRole(try rawID(), for: operation, by: caller)
        return (caller, tenant, role)
    }
}
