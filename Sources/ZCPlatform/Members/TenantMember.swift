import ZCCore

/// A member of a tenant as shown to people: the user's email beside the role.
public struct TenantMember: Sendable, Hashable {
    public var userID: Int64
    public var email: String
    public var role: TenantRole
    public var createdAt: Timestamp
}

extension TenantRole {
    /// The role named `text`, or a validation error that lists the roles.
    public init(validating text: String) throws {
        guard let role = TenantRole(rawValue: text) else {
            throw ValidationError(
                field: "role", "must be one of \(TenantRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = role
    }
}
