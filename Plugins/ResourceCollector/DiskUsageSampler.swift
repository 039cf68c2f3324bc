import Dispatch
import Synchronization
import ZCCore

/// Tenants' disk use without a full `du` of every tenant every minute: each cycle walks the tenants
/// measured longest ago (never-measured first) until its time budget is spent, and skips those measured
/// within the refresh period. Between walks a tenant's last figure stands.
final class DiskUsageSampler: Sendable {
    struct Measurement: Sendable {
        var bytes: Int64
        var measuredAt: ContinuousClock.Instant
    }

    let refresh: Duration
    let budget: Duration
    let limits: DirectoryWalker.Limits
    let directory: @Sendable (TenantID) -> String
    private let measurements = Mutex<[TenantID: Measurement]>([:])
    private static let queue = DispatchQueue(label: "zcplatform.resource.disk-walk")

    init(
        refresh: Duration, budget: Duration, limits: DirectoryWalker.Limits = DirectoryWalker.Limits(),
        directory: @escaping @Sendable (TenantID) -> String
    ) {
        self.refresh = refresh
        self.budget = budget
        self.limits = limits
        self.directory = directory
    }

    /// What one cycle measured.
    struct Sizes: Sendable {
        /// The latest figure of every tenant asked about (absent for a tenant never measured, or whose
        /// directory cannot be read).
        var sizes: [TenantID: Int64]
        /// Tenants walked this cycle.
        var walked: Int
        /// Walks this cycle that met a bound: their figure is a lower bound.
        var partial: [(TenantID, DirectoryWalker.Result)]
    }

    /// Walks what the budget allows and returns the latest figure of every tenant in `tenants`.
    func sizes(of tenants: [TenantID]) async -> Sizes {
        let clock = ContinuousClock()
        let now = clock.now
        let known = measurements.withLock { current in
            // Forget tenants that left this node.
            let wanted = Set(tenants)
            for id in current.keys where !wanted.contains(id) { current[id] = nil }
            return current
        }
        let due = tenants.filter { id in known[id].map { now - $0.measuredAt >= refresh } ?? true }
            .sorted { lhs, rhs in
                switch (known[lhs], known[rhs]) {
                case (nil, nil): lhs < rhs
                case (nil, _): true
                case (_, nil): false
                case (let left?, let right?): left.measuredAt < right.measuredAt
                }
            }
        let budget = self.budget
        let limits = self.limits
        let paths = due.map { ($0, directory($0)) }
        let walked: [(TenantID, DirectoryWalker.Result?)] = await withCheckedContinuation { continuation in
            Self.queue.async {
                var results: [(TenantID, DirectoryWalker.Result?)] = []
                let started = clock.now
                for (id, path) in paths {
                    // At least one walk per cycle, so even a tiny budget gets round every tenant.
                    if !results.isEmpty && clock.now - started >= budget { break }
                    results.append((id, DirectoryWalker.apparentSize(of: path, limits: limits)))
                }
                continuation.resume(returning: results)
            }
        }
        let finished = clock.now
        return measurements.withLock { current in
            for (id, result) in walked {
                if let result {
                    current[id] = Measurement(bytes: result.bytes, measuredAt: finished)
                } else {
                    current[id] = nil
                }
            }
            var sizes: [TenantID: Int64] = [:]
            for id in tenants { if let measurement = current[id] { sizes[id] = measurement.bytes } }
            let partial = walked.compactMap { id, result in result.flatMap { $0.cut == nil ? nil : (id, $0) } }
            return Sizes(sizes: sizes, walked: walked.count, partial: partial)
        }
    }
}
