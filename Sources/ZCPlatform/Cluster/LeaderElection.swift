import Synchronization
import ZCCore

/// Takes and keeps the cluster's `leader` lease: one conditional upsert every `renewEvery`, valid for
/// `leaseSeconds` by the database's clock. This node acts as leader only until `actFor` after the start of
/// its last successful renewal (`leaseSeconds` less one renewal and a second for the database clock's
/// whole seconds), so it stops before any other node can take the lease over. On cancellation (SIGTERM) it resigns, and the next node takes over at its next try.
///
/// What only the leader does asks `isLeader`: marking nodes down, retention.
public final class LeaderElection: Service, Sendable {
    public static let leaseName = "leader"
    public let name = "leader-election"
    let store: any Store
    let nodeID: String
    let renewEvery: Duration
    let leaseSeconds: Int64
    let logger: Logger
    private let state = Mutex<Held?>(nil)
    private let gauge: Gauge

    struct Held {
        let term: Int64
        let actUntil: ContinuousClock.Instant
    }

    public init(
        store: any Store, nodeID: String, renewEvery: Duration, leaseSeconds: Int64, metrics: MetricsRegistry,
        logger: Logger
    ) {
        self.store = store
        self.nodeID = nodeID
        self.renewEvery = renewEvery
        self.leaseSeconds = leaseSeconds
        self.logger = logger
        gauge = metrics.gauge("zcplatform_cluster_is_leader", help: "1 while this node acts as the cluster's leader.")
        gauge.set(0)
    }

    /// Whether this node may act as leader now.
    public var isLeader: Bool { term != nil }

    /// The lease's term while this node may act as leader.
    public var term: Int64? {
        state.withLock { held in
            guard let current = held, ContinuousClock.now < current.actUntil else { return nil }
            return current.term
        }
    }

    /// How long after a renewal this node may still act: the lease's life less one renewal period and
    /// the second the database's clock may round away.
    var actFor: Duration { max(.zero, .seconds(leaseSeconds - 1) - renewEvery) }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watch() }
            group.addTask {
                while !Task.isCancelled {
                    await self.attempt()
                    do {
                        try await Task.sleep(for: self.renewEvery)
                    } catch {
                        break
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
        await resign()
    }

    /// Says when this node stops acting as leader by time alone (its renewals failed, or one is stuck on a
    /// silent network): from then on `isLeader` is false, before any other node can take the lease.
    func watch() async {
        var acting: Int64?
        while !Task.isCancelled {
            let now = term
            if let was = acting, now == nil {
                gauge.set(0)
                logger.warning(
                    "leader.stopped_acting",
                    [
                        "node": nodeID, "term": was,
                        "detail": "no renewal of the lease within its life less one renewal: another node may take it",
                    ])
            }
            acting = now
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                return
            }
        }
    }

    /// One try at taking or renewing the lease.
    func attempt() async {
        let started = ContinuousClock.now
        let before = term
        do {
            let (name, holder, seconds) = (Self.leaseName, nodeID, leaseSeconds)
            let lease = try await store.withTransaction {
                try await $0.acquireLease(name, holder: holder, ttlSeconds: seconds)
            }
            state.withLock { $0 = lease.map { Held(term: $0.term, actUntil: started + actFor) } }
            if let lease, before != lease.term {
                logger.notice("leader.elected", ["node": nodeID, "term": lease.term])
            } else if lease == nil, before != nil {
                logger.warning("leader.lost", ["node": nodeID, "term": before ?? 0])
            }
        } catch is CancellationError {
            return
        } catch {
            // The lease runs out by itself (`term` turns nil at `actUntil`); the next try may renew it.
            logger.warning("leader.renew_failed", ["node": nodeID, "error": String(describing: error)])
        }
        gauge.set(isLeader ? 1 : 0)
    }

    /// Gives the lease up, so another node takes over at its next try instead of after the lease's life.
    func resign() async {
        guard state.withLock({ $0 }) != nil else { return }
        state.withLock { $0 = nil }
        gauge.set(0)
        let (store, name, holder) = (store, Self.leaseName, nodeID)
        // A task of its own, awaited: this one is cancelled, and a cancelled task cannot borrow a connection.
        let released = await Task {
            do {
                try await store.withTransaction { try await $0.releaseLease(name, holder: holder) }
                return true
            } catch {
                return false
            }
        }.value
        logger.notice("leader.resigned", ["node": nodeID, "released": released])
    }
}
