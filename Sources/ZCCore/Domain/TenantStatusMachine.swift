/// The tenant status machine of the product specification, as pure code.
///
/// Operator actions are guarded (an invalid one is a `409`); platform events move a tenant only where
/// the event makes sense. Nothing leaves `deleted`.
public enum TenantStatusMachine {
    /// The statuses from which `action` is allowed.
    public static func allowedSources(of action: TenantAction) -> Set<TenantStatus> {
        switch action {
        case .deploy: [.draft, .error]
        case .start: [.stopped]
        case .stop: [.running]
        case .restart: [.running, .error]
        case .delete: [.draft, .deploying, .running, .stopped, .error]
        }
    }

    /// The status a tenant enters when `action` begins.
    public static func target(of action: TenantAction) -> TenantStatus {
        switch action {
        case .deploy: .deploying
        case .start, .restart: .running
        case .stop: .stopped
        case .delete: .deleted
        }
    }

    /// The status after `action`, or a `409` naming the statuses that would have allowed it.
    public static func apply(
        _ action: TenantAction, to status: TenantStatus
    ) throws(TenantTransitionError)
        -> TenantStatus
    {
        guard allowedSources(of: action).contains(status) else {
            throw TenantTransitionError(action: action, status: status, allowed: allowedSources(of: action))
        }
        return target(of: action)
    }

    /// The status after a platform event, or nil when the event does not apply in `status`.
    public static func apply(_ event: TenantEvent, to status: TenantStatus) -> TenantStatus? {
        switch (event, status) {
        case (.deploySucceeded, .deploying): .running
        case (.deployFailed, .deploying): .error
        case (.failed, .deploying), (.failed, .running), (.failed, .stopped), (.failed, .draft): .error
        case (.recovered, .error): .running
        default: nil
        }
    }

    public static func isAllowed(_ action: TenantAction, from status: TenantStatus) -> Bool {
        allowedSources(of: action).contains(status)
    }
}

/// An action asked of a tenant whose status does not allow it.
public struct TenantTransitionError: PublicError, Sendable, Equatable, CustomStringConvertible {
    public let action: TenantAction
    public let status: TenantStatus
    public let allowed: Set<TenantStatus>

    public init(action: TenantAction, status: TenantStatus, allowed: Set<TenantStatus>) {
        self.action = action
        self.status = status
        self.allowed = allowed
    }

    public var failureKind: FailureKind { .conflict }

    public var publicMessage: String {
        let sources = TenantStatus.allCases.filter { allowed.contains($0) }.map(\.rawValue).joined(separator: ", ")
        return "cannot \(action) a tenant in status '\(status)' (allowed from: \(sources))"
    }

    public var description: String { publicMessage }
}
