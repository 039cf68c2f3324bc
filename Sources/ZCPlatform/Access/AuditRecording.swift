import ZCCore

extension StoreTransaction {
    /// Appends what `caller` did to the audit log, in this transaction: it is recorded if and only if
    /// the change is.
    func audit(
        _ action: String, by caller: Caller, tenant: TenantID? = nil, target: String? = nil,
        detail: [String: JSONValue] = [:], at time: Timestamp = .now()
    ) async throws {
        try await appendAudit(
            NewAuditEvent(
                at: time, actor: caller.actor, action: action, tenantID: tenant?.rawValue, target: target,
                clientIP: caller.clientIP, detail: detail))
    }
}
