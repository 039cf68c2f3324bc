import Synchronization
import ZCCore

/// Records this node in the cluster's membership every `cluster.heartbeat_seconds`: its address, version,
/// memory capacity and what its tenants' plans reserve, stamped by the database's clock so that nodes whose
/// clocks disagree agree on who is alive. While this node is the leader, each beat also marks down the
/// nodes whose heartbeat expired more than `cluster.node_down_seconds` ago.
public struct NodeHeartbeat: Service {
    public let name = "node-heartbeat"
    let store: any Store
    let node: Node
    let plans: [String: Plan]
    let interval: Duration
    let downAfter: Duration
    let metrics: ClusterMetrics
    let isLeader: @Sendable () -> Bool
    let logger: Logger
    /// How long without a recorded heartbeat before this node fences itself.
    let selfFence: Duration
    /// Stops this node's agents (the rest of the cluster may think it down); and undoes that.
    let fence: @Sendable () async -> Void
    let unfence: @Sendable () async -> Void
    /// The fingerprint of the vault key this node signs forwards with, read at every beat (a rotated key
    /// shows at the next one).
    let vaultKey: @Sendable () -> String
    /// What the node found calling itself through its address (`NodeSelfCheck`), written with each beat.
    let addressCheck: @Sendable () -> Node.AddressCheck?

    public init(
        store: any Store, node: Node, plans: [String: Plan], interval: Duration, downAfter: Duration,
        metrics: MetricsRegistry, isLeader: @escaping @Sendable () -> Bool, logger: Logger,
        selfFence: Duration = .seconds(60), fence: @escaping @Sendable () async -> Void = {},
        unfence: @escaping @Sendable () async -> Void = {}, vaultKey: @escaping @Sendable () -> String = { "" },
        addressCheck: @escaping @Sendable () -> Node.AddressCheck? = { nil }
    ) {
        self.addressCheck = addressCheck
        self.vaultKey = vaultKey
        self.selfFence = selfFence
        self.fence = fence
        self.unfence = unfence
        self.isLeader = isLeader
        self.store = store
        self.node = node
        self.plans = plans
        self.interval = interval
        self.downAfter = downAfter
        self.metrics = ClusterMetrics(metrics)
        self.logger = logger
    }

    /// Beats every interval, and beside it watches the time since the last recorded beat: a node whose
    /// last recorded beat is older than `selfFence` (the database out of reach, a beat stuck on a silent
    /// network, the process frozen) fences itself, whether or not the beat in flight ever returns: the
    /// others may have marked it down, and an agent must never run twice. The first beat recorded after
    /// that lifts the fence. Fencing and lifting it are the watch's alone, so they never overlap.
    public func run() async throws {
        let recorded = LastRecordedBeat()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watch(recorded) }
            group.addTask { await self.beating(recorded) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Beats every interval; each recorded beat moves `recorded`.
    func beating(_ recorded: LastRecordedBeat) async {
        while !Task.isCancelled {
            // Silent past the fence time (a frozen process that resumes): the watch fences first, then
            // this beats; a beat never lets a node that may be thought down go on with its agents.
            if ContinuousClock.now - recorded.instant > selfFence, !recorded.fenced {
                do {
                    try await Task.sleep(for: .milliseconds(50))
                } catch {
                    return
                }
                continue
            }
            do {
                try await beat()
                recorded.set(ContinuousClock.now)
            } catch is CancellationError {
                return
            } catch {
                logger.warning("node.heartbeat_failed", ["node": node.id, "error": String(describing: error)])
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    /// Fences once the last recorded beat is older than `selfFence`, and lifts the fence at the first beat
    /// recorded after it.
    func watch(_ recorded: LastRecordedBeat) async {
        let tick = min(.milliseconds(250), selfFence / 4)
        var fencedAt: ContinuousClock.Instant?
        while !Task.isCancelled {
            let last = recorded.instant
            let now = ContinuousClock.now
            if let since = fencedAt {
                if last > since {
                    fencedAt = nil
                    logger.notice("node.unfenced", ["node": node.id])
                    await unfence()
                    recorded.fenced = false
                }
            } else if now - last > selfFence {
                fencedAt = now
                logger.error(
                    "node.fenced",
                    [
                        "node": node.id, "silent_seconds": (now - last).components.seconds,
                        "detail":
                            "no heartbeat recorded within cluster.self_fence_seconds: stopping this node's agents",
                    ])
                await fence()
                recorded.fenced = true
            }
            do {
                try await Task.sleep(for: tick)
            } catch {
                return
            }
        }
    }

    /// One heartbeat: this node's row, then the nodes now down, then the gauges.
    func beat() async throws {
        var beating = node
        beating.memoryReserved = try await reserved()
        beating.vaultKey = vaultKey()
        beating.addressCheck = addressCheck()
        let current = beating
        let (ttl, grace, leading) = (interval.components.seconds, downAfter.components.seconds, isLeader())
        let (recorded, down, abandoned) = try await store.withTransaction { transaction in
            (
                try await transaction.heartbeat(current, ttlSeconds: max(1, ttl)),
                leading ? try await transaction.markNodesDown(graceSeconds: grace) : [],
                // A move cannot go on without its source: the leader gives up those of nodes that are down.
                leading ? try await transaction.abandonMovesFromDownNodes() : []
            )
        }
        for id in down { logger.warning("node.down", ["node": id, "by": recorded.id]) }
        for id in abandoned { logger.warning("tenant.move_abandoned", ["tenant": id.rawValue, "by": recorded.id]) }
        let nodes = try await store.read { try await $0.nodes() }
        metrics.record(nodes)
    }

    /// What the plans of the tenants placed here reserve, in bytes, as placement counts it (a tenant moving
    /// counts on the node it moves to): one grouped query, not every tenant's row at every beat.
    func reserved() async throws -> Int64 {
        let placed = try await store.read { try await $0.placedTenants(nodeID: node.id) }
        return NodePlacement.reserved(placed, plans: plans)[node.id] ?? 0
    }
}

/// `zcplatform_cluster_nodes{state}`: the cluster's nodes by state, as this node last read them.
struct ClusterMetrics: Sendable {
    let nodes: Gauge

    init(_ registry: MetricsRegistry) {
        nodes = registry.gauge("zcplatform_cluster_nodes", help: "The cluster's nodes by state.", labels: ["state"])
    }

    func record(_ all: [Node]) {
        for state in Node.State.allCases {
            nodes.set(Double(all.filter { $0.state == state }.count), labels: [state.rawValue])
        }
    }
}

/// When this node's heartbeat was last recorded, and whether it is fenced: shared by the beat and the watch.
final class LastRecordedBeat: Sendable {
    private let value = Mutex(ContinuousClock.now)
    private let fencedNow = Atomic<Bool>(false)

    var instant: ContinuousClock.Instant { value.withLock { $0 } }
    func set(_ instant: ContinuousClock.Instant) { value.withLock { $0 = instant } }
    /// Whether the watch has fenced the node (its agents stopped) and not yet lifted it.
    var fenced: Bool {
        get { fencedNow.load(ordering: .acquiring) }
        set { fencedNow.store(newValue, ordering: .releasing) }
    }
}
