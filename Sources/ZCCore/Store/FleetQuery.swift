/// What a fleet view reads of its tenants in one statement, whatever their number: the tenants in id
/// order, each with whether its node is down and, as asked, the caller's role, its newest resource
/// snapshot and its usage over a period.
public struct FleetQuery: Sendable, Hashable {
    /// Only the tenants this user is a member of.
    public var memberUserID: Int64?
    /// Each tenant's role for this user (nil where it is not a member); implied by `memberUserID`.
    public var roleOfUserID: Int64?
    /// Adds each tenant's newest resource snapshot, however old.
    public var snapshots: Bool
    /// Adds each tenant's usage summed over the hours `from <= hour <= to`.
    public var usage: ClosedRange<Timestamp>?
    /// Only the tenants the fleet shows with this status.
    public var status: FleetStatus?
    /// Keeps deleted tenants (still in the store until their retention ends).
    public var includeDeleted: Bool

    public init(
        memberUserID: Int64? = nil, roleOfUserID: Int64? = nil, snapshots: Bool = false,
        usage: ClosedRange<Timestamp>? = nil, status: FleetStatus? = nil, includeDeleted: Bool = false
    ) {
        self.memberUserID = memberUserID
        self.roleOfUserID = roleOfUserID ?? memberUserID
        self.snapshots = snapshots
        self.usage = usage
        self.status = status
        self.includeDeleted = includeDeleted
    }
}

/// A tenant's status as the fleet views show it: its own, or `unreachable` while its node is down
/// (nothing is known of its agent then).
public enum FleetStatus: Sendable, Hashable, CustomStringConvertible {
    case tenant(TenantStatus)
    case unreachable

    public init?(rawValue: String) {
        if rawValue == "unreachable" {
            self = .unreachable
        } else if let status = TenantStatus(rawValue: rawValue) {
            self = .tenant(status)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .tenant(let status): status.rawValue
        case .unreachable: "unreachable"
        }
    }

    public var description: String { rawValue }

    /// Every value, as a sentence lists them.
    public static var names: [String] { TenantStatus.allCases.map(\.rawValue) + ["unreachable"] }
}

/// One tenant of a `FleetQuery`'s answer.
public struct FleetEntry: Sendable {
    public var tenant: Tenant
    /// Its node is marked down.
    public var nodeDown: Bool
    public var role: TenantRole?
    public var snapshot: ResourceSnapshot?
    public var usage: UsageTotal?

    public init(
        tenant: Tenant, nodeDown: Bool, role: TenantRole? = nil, snapshot: ResourceSnapshot? = nil,
        usage: UsageTotal? = nil
    ) {
        self.tenant = tenant
        self.nodeDown = nodeDown
        self.role = role
        self.snapshot = snapshot
        self.usage = usage
    }

    /// The status the fleet shows.
    public var status: FleetStatus { nodeDown ? .unreachable : .tenant(tenant.status) }
}
