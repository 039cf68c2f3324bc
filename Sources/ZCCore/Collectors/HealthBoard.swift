import Synchronization

/// What the health checker last saw, shared with the monitoring API and the alert rules: each tenant's
/// latest probe, and whether the container runtime itself is reachable. In memory: it is rebuilt by the
/// first cycle after a restart, while the tenant's status in the store is what lasts.
public final class HealthBoard: Sendable {
    public struct TenantHealth: Sendable, Hashable {
        /// When the agent was last probed.
        public var checkedAt: Timestamp
        public var healthy: Bool
        /// Failed probes in a row (0 after a healthy one).
        public var consecutiveFailures: Int
        /// Why the last probe failed.
        public var lastError: String?
        /// When the checker last restarted the agent in the current episode of failures.
        public var restartedAt: Timestamp?
        /// The parts the agent reported in its last answer (empty when it names none).
        public var components: [AgentHealth.Component]

        public init(
            checkedAt: Timestamp, healthy: Bool, consecutiveFailures: Int, lastError: String?,
            restartedAt: Timestamp? = nil, components: [AgentHealth.Component] = []
        ) {
            self.checkedAt = checkedAt
            self.healthy = healthy
            self.consecutiveFailures = consecutiveFailures
            self.lastError = lastError
            self.restartedAt = restartedAt
            self.components = components
        }

        /// The agent answers, but a part of it (a channel, the scheduler) reports `error`.
        public var degraded: Bool { healthy && components.contains(where: \.failing) }
        /// `healthy`, `degraded` or `unhealthy`.
        public var state: String { !healthy ? "unhealthy" : degraded ? "degraded" : "healthy" }
    }

    /// A condition that holds since a time, for a reason: the runtime unreachable, or a running agent
    /// whose `/metrics` gives nothing to meter (Prometheus off in its configuration, or an answer other
    /// than 200: its usage would read as zero, so it is shown instead).
    public struct Episode: Sendable, Hashable {
        public var since: Timestamp
        public var reason: String

        public init(since: Timestamp, reason: String) {
            self.since = since
            self.reason = reason
        }
    }

    public typealias RuntimeOutage = Episode
    public typealias Unmetered = Episode

    private struct State {
        var tenants: [TenantID: TenantHealth] = [:]
        var outage: RuntimeOutage?
        var unmetered: [TenantID: Unmetered] = [:]
        var verdicts: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func health(of id: TenantID) -> TenantHealth? { state.withLock { $0.tenants[id] } }
    public var all: [TenantID: TenantHealth] { state.withLock { $0.tenants } }
    public var runtimeOutage: RuntimeOutage? { state.withLock { $0.outage } }

    /// Changes whenever a tenant's verdict (`state`, as the fleet table shows it) or its unmetered mark
    /// comes, goes or changes; a probe that finds what the last one found leaves it. For caches of views.
    public var verdictRevision: UInt64 { state.withLock { $0.verdicts } }

    public func set(_ health: TenantHealth?, for id: TenantID) {
        state.withLock { state in
            if state.tenants[id]?.state != health?.state { state.verdicts &+= 1 }
            state.tenants[id] = health
        }
    }

    /// Keeps only the tenants in `ids` (the others left this node or were deleted).
    public func retain(_ ids: Set<TenantID>) {
        state.withLock { state in
            let kept = state.tenants.filter { ids.contains($0.key) }
            if kept.count != state.tenants.count { state.verdicts &+= 1 }
            state.tenants = kept
        }
    }

    public func unmetered(of id: TenantID) -> Unmetered? { state.withLock { $0.unmetered[id] } }
    public var allUnmetered: [TenantID: Unmetered] { state.withLock { $0.unmetered } }

    /// Records a tenant as unmetered (keeping when it started) or, with nil, metered again. Returns true
    /// when that changed, so the caller logs it once.
    @discardableResult
    public func setUnmetered(_ unmetered: Unmetered?, for id: TenantID) -> Bool {
        state.withLock { state in
            let change = Self.transition(&state.unmetered[id], to: unmetered)
            let changed = change.started || change.ended != nil
            if changed { state.verdicts &+= 1 }
            return changed
        }
    }

    /// Keeps the unmetered marks of the tenants in `ids` only (the usage collector's targets).
    public func retainMetered(_ ids: Set<TenantID>) {
        state.withLock { state in
            let kept = state.unmetered.filter { ids.contains($0.key) }
            if kept.count != state.unmetered.count { state.verdicts &+= 1 }
            state.unmetered = kept
        }
    }

    /// Records the runtime as unreachable (keeping the first time it was seen so) or, with nil, back.
    /// Returns the outage that ended, or true for a new one, so the caller logs transitions once.
    @discardableResult
    public func setRuntimeOutage(_ outage: RuntimeOutage?) -> (started: Bool, ended: RuntimeOutage?) {
        state.withLock { Self.transition(&$0.outage, to: outage) }
    }

    /// Moves `slot` to `new`, keeping when the episode began while it goes on (only its reason follows).
    /// Says whether one started, and returns the one that ended.
    private static func transition(_ slot: inout Episode?, to new: Episode?) -> (started: Bool, ended: Episode?) {
        switch (slot, new) {
        case (nil, let new?):
            slot = new
            return (true, nil)
        case (let old?, nil):
            slot = nil
            return (false, old)
        case (var old?, let new?):
            old.reason = new.reason
            slot = old
            return (false, nil)
        case (nil, nil):
            return (false, nil)
        }
    }
}
