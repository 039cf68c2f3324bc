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
    let directory: @Sendable (TenantID) -> String
    private let measurements = Mutex<[TenantID: Measurement]>([:])
    private static let queue = DispatchQueue(label: "zcplatform.resource.disk-walk")

    init(refresh: Duration, budget: Duration, directory: @escaping @Sendable (TenantID) -> String) {
        self.refresh = refresh
        self.budget = budget
        self.directory = directory
    }

    /// Walks what the budget allows and returns the latest figure of every tenant in `tenants` (absent
    /// for a tenant never measured, or whose directory cannot be read).
    func sizes(of tenants: [TenantID]) async -> (sizes: [TenantID: Int64], walked: Int) {
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
        let paths = due.map { ($0, directory($0)) }
        let walked: [(TenantID, Int64?)] = await withCheckedContinuation { continuation in
            Self.queue.async {
                var results: [(TenantID, Int64?)] = []
                let started = clock.now
                for (id, path) in paths {
                    // At least one walk per cycle, so even a tiny budget gets round every tenant.
                    if !results.isEmpty && clock.now - started >= budget { break }
                    results.append((id, DirectoryWalker.apparentSize(of: path)?.bytes))
                }
                continuation.resume(returning: results)
            }
        }
        let finished = clock.now
        return measurements.withLock { current in
            for (id, bytes) in walked {
                if let bytes {
                    current[id] = Measurement(bytes: bytes, measuredAt: finished)
                } else {
                    current[id] = nil
                }
            }
            var sizes: [TenantID: Int64] = [:]
            for id in tenants { if let measurement = current[id] { sizes[id] = measurement.bytes } }
            return (sizes, walked.count)
        }
    }
}
