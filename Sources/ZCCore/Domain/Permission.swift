/// What an API operation requires of its caller.
public enum AccessRequirement: Sendable, Hashable, CustomStringConvertible {
    /// Any signed-in, enabled user (their own profile, their own tokens).
    case authenticated
    /// At least this role in the tenant named by the request (super-admins pass).
    case tenantRole(TenantRole)
    /// The platform-wide `super_admin` flag.
    case superAdmin

    public var description: String {
        switch self {
        case .authenticated: "authenticated"
        case .tenantRole(let role): "tenant role \(role) or above"
        case .superAdmin: "super-admin"
        }
    }
}

/// Every operation the API offers, with its minimum role as the product specification lists it.
public enum PlatformOperation: String, Sendable, Hashable, CaseIterable {
    case readTenant, readStatus, readLogs, readResources, readUsage, readConfig, listChannels, listMembers
    case deploy, start, stop, restart, exec, changeConfig, changeChannels
    case manageMembers, deleteTenant
    case createTenant, manageUsers, readFleet, readAudit, manageCluster
    case readOwnProfile, manageOwnTokens

    public var requirement: AccessRequirement {
        switch self {
        case .readTenant, .readStatus, .readLogs, .readResources, .readUsage, .readConfig, .listChannels,
            .listMembers:
            .tenantRole(.viewer)
        case .deploy, .start, .stop, .restart, .exec, .changeConfig, .changeChannels:
            .tenantRole(.manager)
        case .manageMembers, .deleteTenant:
            .tenantRole(.owner)
        case .createTenant, .manageUsers, .readFleet, .readAudit, .manageCluster:
            .superAdmin
        case .readOwnProfile, .manageOwnTokens:
            .authenticated
        }
    }
}

/// The decision for one caller and one requirement. Pure: the caller's flags and role are read from the
/// store on every request, so a revocation takes effect at once.
public enum AccessPolicy {
    public enum Decision: Sendable, Hashable {
        case allowed
        /// The caller may not know the tenant exists: answer `404`, never `403`, so tenants stay invisible.
        case hidden
        /// The caller can see the tenant but lacks the role: `403`.
        case forbidden
    }

    /// - Parameters:
    ///   - isSuperAdmin: the caller's platform flag.
    ///   - role: the caller's role in the tenant the request names, nil when not a member (or no tenant).
    public static func decide(isSuperAdmin: Bool, role: TenantRole?, requirement: AccessRequirement) -> Decision {
        if isSuperAdmin { return .allowed }
        switch requirement {
        case .authenticated:
            return .allowed
        case .superAdmin:
            return .forbidden
        case .tenantRole(let required):
            guard let role else { return .hidden }
            return role.satisfies(required) ? .allowed : .forbidden
        }
    }
}
