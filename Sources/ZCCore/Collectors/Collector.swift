/// A periodic job of the platform (resource, usage, health): one `collect()` per cycle, run by a
/// `CollectorSchedule` on the collector's interval.
///
/// `name` is what operators see in logs, metrics and configuration (`resource`, `usage`, `health`).
/// A cycle probes its targets with bounded concurrency and a per-target timeout, writes what it
/// collected, and reports how it went; it throws only when the cycle as a whole could not run (the
/// store or the container runtime is unreachable).
public protocol Collector: Sendable {
    var name: String { get }
    /// The time from the start of one cycle to the start of the next.
    var interval: Duration { get }
    func collect() async throws -> CollectionReport
    /// Releases what the collector holds (its HTTP client) once its schedule ends.
    func shutdown() async
}

extension Collector {
    public func shutdown() async {}
}

/// How one cycle went.
public struct CollectionReport: Sendable, Hashable {
    /// Targets the cycle tried (tenants probed).
    public var targets: Int
    /// Targets that failed (no answer in time, an error); the cycle itself still succeeded.
    public var failures: Int
    /// Rows or records the cycle wrote.
    public var written: Int

    public init(targets: Int, failures: Int = 0, written: Int = 0) {
        self.targets = targets
        self.failures = failures
        self.written = written
    }
}
