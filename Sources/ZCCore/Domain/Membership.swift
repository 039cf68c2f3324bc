/// A user's role in one tenant.
public struct Membership: Sendable, Hashable, Codable {
    public var tenantID: TenantID
    public var userID: Int64
    public var role: TenantRole
    public var createdAt: Timestamp

    public init(tenantID: TenantID, userID: Int64, role: TenantRole, createdAt: Timestamp) {
        self.tenantID = tenantID
        self.userID = userID
        self.role = role
        self.createdAt = createdAt
    }
}
