import Dispatch
import Synchronization
import ZCCore

/// Samples every running tenant of this node once a cycle (60 s by default) into `resource_snapshots`:
/// CPU percent from the counter delta since the previous cycle, memory and its limit, network counters,
/// tasks, and disk use from staggered walks of the tenant directories. One runtime call for the whole
/// cycle (which reads cgroup files where it can) and one transaction.
public final class ResourceCollector: Collector {
    public struct Settings: Sendable {
        public var nodeID: String
        public var interval: Duration
        /// Containers read at once when the runtime has to ask one by one.
        public var concurrency: Int
        public var timeout: Duration
        /// How old a tenant's disk figure may grow before its directory is walked again.
        public var diskRefresh: Duration
        /// Time each cycle may spend walking tenant directories.
        public var diskBudget: Duration
        /// Deepest a walk of a tenant's directory goes (also the most descriptors it holds open).
        public var diskMaxDepth: Int
        /// Entries a walk counts before it stops with a partial figure.
        public var diskMaxEntries: Int

        public init(
            nodeID: String, interval: Duration, concurrency: Int, timeout: Duration, diskRefresh: Duration,
            diskBudget: Duration, diskMaxDepth: Int, diskMaxEntries: Int
        ) {
            self.diskMaxDepth = diskMaxDepth
            self.diskMaxEntries = diskMaxEntries
            self.nodeID = nodeID
            self.interval = interval
            self.concurrency = concurrency
            self.timeout = timeout
            self.diskRefresh = diskRefresh
            self.diskBudget = diskBudget
        }
    }

    public let name = "resource"
    public var interval: Duration { settings.interval }
    let store: any Store
    let runtime: any ContainerRuntime
    let settings: Settings
    let logger: Logger
    let disk: DiskUsageSampler
    /// Each tenant's previous sample, for CPU deltas.
    private let previous = Mutex<[TenantID: ContainerStats]>([:])
    /// The statistics source last logged, so a change is logged once.
    private let source = Mutex<String?>(nil)

    /// Walks cut short by a bound, by the bound (`depth`, `entries`).
    let partialWalks: Counter?

    /// - Parameter directory: the tenant's data directory, whose size is `disk_bytes`.
    public init(
        store: any Store, runtime: any ContainerRuntime, settings: Settings, metrics: MetricsRegistry? = nil,
        logger: Logger, directory: @escaping @Sendable (TenantID) -> String
    ) {
        self.store = store
        self.runtime = runtime
        self.settings = settings
        self.logger = logger
        disk = DiskUsageSampler(
            refresh: settings.diskRefresh, budget: settings.diskBudget,
            limits: DirectoryWalker.Limits(maxDepth: settings.diskMaxDepth, maxEntries: settings.diskMaxEntries),
            directory: directory)
        partialWalks = metrics?.counter(
            "zcplatform_disk_walks_partial_total",
            help: "Walks of tenant directories stopped at a bound (depth or entries); their size is a lower bound.",
            labels: ["reason"])
    }

    public func collect() async throws -> CollectionReport {
        let tenants = try await store.read { reader in
            try await reader.tenants(TenantFilter(nodeID: self.settings.nodeID, limit: Int.max))
        }.filter { $0.status == .running || $0.status == .error }
        guard !tenants.isEmpty else {
            previous.withLock { $0 = [:] }
            return CollectionReport(targets: 0)
        }
        let containers = tenants.map { ContainerID(tenant: $0.id) }
        let batch = try await runtime.stats(
            of: containers, concurrency: settings.concurrency, timeout: settings.timeout)
        noteSource(batch.source)
        let measured = await disk.sizes(of: tenants.map(\.id))
        let sizes = measured.sizes
        for (id, walk) in measured.partial {
            let reason = walk.cut?.rawValue ?? "unknown"
            partialWalks?.increment(labels: [reason])
            logger.warning(
                "resource.disk_walk_partial",
                ["tenant": id.rawValue, "reason": reason, "entries": walk.entries, "bytes": walk.bytes])
        }
        let now = Timestamp.now()
        var snapshots: [ResourceSnapshot] = []
        var failures = 0
        previous.withLock { previous in
            var next: [TenantID: ContainerStats] = [:]
            for (tenant, container) in zip(tenants, containers) {
                switch batch.results[container] {
                case .sample(let stats):
                    let cpu =
                        previous[tenant.id].map { stats.cpuPercent(since: $0) }
                        ?? Self.averageSinceStart(stats, tenant: tenant, now: now)
                    next[tenant.id] = stats
                    snapshots.append(
                        ResourceSnapshot(
                            tenantID: tenant.id, collectedAt: now, cpuPct: cpu, memBytes: stats.memBytes,
                            memLimit: stats.memLimit, diskBytes: sizes[tenant.id] ?? 0, netIn: stats.netIn,
                            netOut: stats.netOut, pids: stats.pids))
                case .missing:
                    // Not running: the health checker's business, not a collection failure.
                    break
                case .failed(let why):
                    failures += 1
                    logger.debug("resource.sample_failed", ["tenant": tenant.id.rawValue, "error": why])
                case nil:
                    failures += 1
                }
            }
            previous = next
        }
        let rows = snapshots
        let written = try await store.withTransaction { try await $0.insertSnapshots(rows) }
        return CollectionReport(targets: tenants.count, failures: failures, written: written)
    }

    /// A first sample has no previous one: its CPU use averaged since the agent started stands in.
    static func averageSinceStart(_ stats: ContainerStats, tenant: Tenant, now: Timestamp) -> Double {
        guard let started = tenant.startedAt, now.seconds > started.seconds else { return 0 }
        let elapsed = Double(now.seconds - started.seconds) * 1e9
        return Double(stats.cpuNanoseconds) / elapsed * 100
    }

    private func noteSource(_ current: String) {
        let changed = source.withLock { last in
            defer { last = current }
            return last != current
        }
        if changed { logger.info("resource.stats_source", ["source": current, "runtime": runtime.driver]) }
    }
}
