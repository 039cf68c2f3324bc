/// What a caller may ask of one tenant now, as the API's `actions`: the lifecycle actions the tenant's
/// status allows and the changes the caller's role allows. Computed by the rules that enforce them
/// (`AccessPolicy` on the operation's requirement, `TenantStatusMachine` on the status), so a client that
/// offers exactly these offers nothing the API would refuse with a 403 or a 409.
public enum TenantCapability: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case deploy
    case start
    case stop
    case restart
    case delete
    /// Run a program in the agent (needs a running agent, and a runtime that isolates it or
    /// `runtime.process_exec`).
    case exec
    case changeConfig = "change_config"
    case changeChannels = "change_channels"
    case manageMembers = "manage_members"

    /// The API operation, whose requirement is the role this needs.
    public var operation: PlatformOperation {
        switch self {
        case .deploy: .deploy
        case .start: .start
        case .stop: .stop
        case .restart: .restart
        case .delete: .deleteTenant
        case .exec: .exec
        case .changeConfig: .changeConfig
        case .changeChannels: .changeChannels
        case .manageMembers: .manageMembers
        }
    }

    /// The status-machine action, for the lifecycle capabilities.
    public var action: TenantAction? {
        switch self {
        case .deploy: .deploy
        case .start: .start
        case .stop: .stop
        case .restart: .restart
        case .delete: .delete
        case .exec, .changeConfig, .changeChannels, .manageMembers: nil
        }
    }

    /// Whether a tenant in `status` allows this (whoever asks).
    public func allowed(in status: TenantStatus) -> Bool {
        if let action { return TenantStatusMachine.isAllowed(action, from: status) }
        if self == .exec { return status == .running }
        return status != .deleted
    }

    /// Everything the caller may do to the tenant now, in declaration order.
    ///
    /// - Parameters:
    ///   - role: the caller's role in the tenant; nil when not a member.
    ///   - moving: the tenant is moving to another node: every change waits for the move (503).
    ///   - execAvailable: the runtime allows exec at all.
    public static func offered(
        isSuperAdmin: Bool, role: TenantRole?, status: TenantStatus, moving: Bool, execAvailable: Bool
    ) -> [TenantCapability] {
        guard !moving else { return [] }
        return offers[offerIndex(isSuperAdmin: isSuperAdmin, role: role, status: status, execAvailable: execAvailable)]
    }

    /// Every answer of `offered`, worked out once: it depends on few values (asked on every tenant read).
    private static let offers: [[TenantCapability]] = {
        var offers: [[TenantCapability]] = []
        for isSuperAdmin in [false, true] {
            for role in [nil] + roles {
                for status in statuses {
                    for execAvailable in [false, true] {
                        precondition(
                            offers.count
                                == offerIndex(
                                    isSuperAdmin: isSuperAdmin, role: role, status: status,
                                    execAvailable: execAvailable))
                        offers.append(
                            allCases.filter { capability in
                                AccessPolicy.decide(
                                    isSuperAdmin: isSuperAdmin, role: role,
                                    requirement: capability.operation.requirement) == .allowed
                                    && capability.allowed(in: status) && (capability != .exec || execAvailable)
                            })
                    }
                }
            }
        }
        return offers
    }()

    private static func offerIndex(
        isSuperAdmin: Bool, role: TenantRole?, status: TenantStatus, execAvailable: Bool
    )
        -> Int
    {
        let roleIndex = role.flatMap { roles.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
        let statusIndex = statuses.firstIndex(of: status) ?? 0
        return (((isSuperAdmin ? 1 : 0) * (roles.count + 1) + roleIndex) * statuses.count + statusIndex) * 2
            + (execAvailable ? 1 : 0)
    }

    // `allCases` makes a new array on each use.
    private static let roles = TenantRole.allCases
    private static let statuses = TenantStatus.allCases

    public var description: String { rawValue }
}
