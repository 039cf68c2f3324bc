import ZCCore

/// Who asks a service for something, and from where: a signed-in user, or the platform itself (the
/// demo, a command). Services record it in the audit log; access was checked before the call
/// (`TenantAccess`).
public struct Caller: Sendable, Hashable {
    /// The user behind the request; nil for the platform acting on its own.
    public let user: User?
    /// The audit log's actor: the user's email, or `system:<name>`.
    public let actor: String
    public let clientIP: String?

    public init(user: User, clientIP: String?) {
        self.user = user
        self.actor = user.email
        self.clientIP = clientIP
    }

    /// The platform acting on its own (`system:demo`): it may do anything a super-admin may.
    public static func system(_ name: String) -> Caller { Caller(actor: "system:\(name)") }

    private init(actor: String) {
        self.user = nil
        self.actor = actor
        self.clientIP = nil
    }

    public var isSuperAdmin: Bool { user?.isSuperAdmin ?? true }
}
