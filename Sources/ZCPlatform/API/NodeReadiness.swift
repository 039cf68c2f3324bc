import Synchronization
import ZCCore
import ZCHTTP

/// Whether this node should take traffic, as `GET /readyz` answers a load balancer: `/healthz` says the
/// process serves (liveness); this says it can do its work. Not ready while
/// - the node is fenced (it could not record a heartbeat within `cluster.self_fence_seconds` and stopped
///   its agents),
/// - the store does not answer (a read failed, or has not come back for `patience`),
/// - the store's schema is not the one this build runs (a migration under way, or a newer node migrated).
///
/// `run()` reads the store every `interval` in the background, so a probe never waits on the store: it
/// answers from the last reading at once, however many probes come and however long the store takes.
public final class NodeReadiness: Service, Sendable {
    public let name = "readiness"
    /// What `/readyz` tells a client to wait, in seconds: what any other 503 without a time of its own says.
    public static let retryAfterSeconds = RouterResponder.retryAfterSeconds

    struct Reading {
        /// When the last read began, and whether it is still out.
        var began: ContinuousClock.Instant?
        var pending = false
        /// Why the store is not usable, from the last read that ended; nil when it was.
        var problem: String? = "the store has not been read yet"
    }

    let store: any Store
    /// The schema version this build migrates to.
    let schema: Int
    let isFenced: @Sendable () -> Bool
    let interval: Duration
    /// A read out longer than this counts as the store unreachable.
    let patience: Duration
    let logger: Logger
    private let reading = Mutex(Reading())

    init(
        store: any Store, schema: Int, isFenced: @escaping @Sendable () -> Bool, logger: Logger,
        interval: Duration = .seconds(1), patience: Duration = .seconds(3)
    ) {
        self.logger = logger
        self.store = store
        self.schema = schema
        self.isFenced = isFenced
        self.interval = interval
        self.patience = patience
    }

    /// Nil when ready; else why not, in a sentence.
    public func notReadyReason(now: ContinuousClock.Instant = .now) -> String? {
        if isFenced() {
            return
                "this node is fenced: it could not record its heartbeat within cluster.self_fence_seconds and stopped its agents"
        }
        return reading.withLock { reading in
            if reading.pending, let began = reading.began, now - began > patience {
                return "the store has not answered for \((now - began).components.seconds) s"
            }
            return reading.problem
        }
    }

    public func run() async throws {
        while !Task.isCancelled {
            await read()
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    /// One reading of the store.
    func read() async {
        reading.withLock {
            $0.began = .now
            $0.pending = true
        }
        let problem: String?
        var cause: String?
        do {
            let applied = try await store.read { try await $0.appliedSchemaVersion() }
            problem =
                applied < schema
                ? "the store's schema is at version \(applied) and this build runs version \(schema): a migration is under way"
                : applied > schema
                    ? "the store's schema is at version \(applied), newer than this build's \(schema): another node runs a newer zcplatform; upgrade this one"
                    : nil
        } catch is CancellationError {
            return
        } catch {
            problem = "the store is unreachable: \((error as? any PublicError)?.publicMessage ?? "\(type(of: error))")"
            // The driver's own words, for the log only.
            cause = String(describing: error)
        }
        let was = reading.withLock { reading in
            defer {
                reading.pending = false
                reading.problem = problem
            }
            return reading.problem
        }
        guard was != problem else { return }
        if let problem {
            logger.warning("node.not_ready", ["reason": problem, "error": cause ?? "-"])
        } else {
            logger.notice("node.ready", [:])
        }
    }
}
