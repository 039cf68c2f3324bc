/// What the health checker may do to a tenant. The lifecycle implements it: each call takes the
/// tenant's lock (so it never interleaves with a deploy, restart or delete), re-reads the tenant, and
/// is audited in the transaction that changes the status.
public protocol TenantSupervisor: Sendable {
    /// Restarts the agent of a tenant that is still `running`, because it stopped answering `/health`.
    /// Returns false when the tenant is no longer running (it changed meanwhile) and nothing was done.
    func restartUnhealthy(_ id: TenantID, reason: String) async throws -> Bool
    /// Applies `.failed` (`running` → `error`, `reason` kept as the error message) or `.recovered`
    /// (`error` → `running`). Returns false when the tenant's status no longer allows the event.
    func record(_ event: TenantEvent, for id: TenantID, reason: String) async throws -> Bool
}
