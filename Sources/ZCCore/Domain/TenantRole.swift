/// A member's role in one tenant, lowest to highest: `viewer < contributor < manager < owner`.
///
/// `super_admin` is not a tenant role but a flag on the user that passes every tenant check.
public enum TenantRole: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    case viewer
    case contributor
    case manager
    case owner

    /// The position in the ordering; `allCases` is declared lowest first.
    public var rank: Int {
        switch self {
        case .viewer: 0
        case .contributor: 1
        case .manager: 2
        case .owner: 3
        }
    }

    /// Whether this role meets or exceeds `required`.
    public func satisfies(_ required: TenantRole) -> Bool { rank >= required.rank }

    public static func < (lhs: TenantRole, rhs: TenantRole) -> Bool { lhs.rank < rhs.rank }

    public var description: String { rawValue }
}
