/// Runs a collector on its interval as a service: one cycle at a time, never overlapping. A cycle that
/// runs past the start of the next skips the ticks it missed (counted and logged) instead of queueing
/// them, so a slow store or runtime never piles up work.
public struct CollectorSchedule: Service {
    public let collector: any Collector
    let metrics: CollectorMetrics
    let logger: Logger
    let sleep: @Sendable (ContinuousClock.Instant) async throws -> Void
    let now: @Sendable () -> ContinuousClock.Instant

    public var name: String { "collector.\(collector.name)" }

    /// - Parameters:
    ///   - sleep: waits until an instant (tests pass a manual clock's).
    ///   - now: the current instant.
    public init(
        _ collector: any Collector, metrics: MetricsRegistry, logger: Logger,
        sleep: @escaping @Sendable (ContinuousClock.Instant) async throws -> Void = {
            try await Task.sleep(until: $0, clock: .continuous)
        },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.collector = collector
        self.metrics = CollectorMetrics(metrics)
        self.logger = logger
        self.sleep = sleep
        self.now = now
    }

    public func run() async throws {
        await runCycles()
        await collector.shutdown()
    }

    private func runCycles() async {
        let interval = collector.interval
        var next = self.now()
        while !Task.isCancelled {
            let started = self.now()
            let completed = await runCycle()
            guard completed else { return }
            next += interval
            let now = self.now()
            if now > next {
                // The cycle overran: skip every tick that passed while it ran.
                let behind = now - next
                let missed = Int64(behind / interval) + 1
                next += interval * Double(missed)
                metrics.skipped.increment(by: Double(missed), labels: [collector.name])
                logger.warning(
                    "collector.overran",
                    [
                        "collector": collector.name, "duration_ms": Self.milliseconds(now - started),
                        "interval_s": interval.components.seconds, "skipped_cycles": missed,
                    ])
            }
            do { try await sleep(next) } catch { return }
        }
    }

    /// One cycle, measured and reported; false when it ended because the task was cancelled.
    func runCycle() async -> Bool {
        let started = now()
        let name = collector.name
        do {
            let report = try await collector.collect()
            let duration = now() - started
            metrics.duration.set(duration.inSeconds, labels: [name])
            metrics.lastSuccess.set(Double(Timestamp.now().seconds), labels: [name])
            metrics.targets.set(Double(report.targets), labels: [name])
            metrics.cycles.increment(labels: [name, "succeeded"])
            if report.failures > 0 { metrics.errors.increment(by: Double(report.failures), labels: [name]) }
            logger.debug(
                "collector.cycle",
                [
                    "collector": name, "targets": report.targets, "failures": report.failures,
                    "written": report.written, "duration_ms": Self.milliseconds(duration),
                ])
            return true
        } catch {
            if Task.isCancelled { return false }
            let duration = now() - started
            metrics.duration.set(duration.inSeconds, labels: [name])
            metrics.cycles.increment(labels: [name, "failed"])
            metrics.errors.increment(labels: [name])
            logger.error(
                "collector.failed",
                ["collector": name, "duration_ms": Self.milliseconds(duration), "error": Self.describe(error)])
            return true
        }
    }

    /// An error in words fit for a log line or an operator: its public message when it has one.
    public static func describe(_ error: any Error) -> String {
        (error as? any PublicError)?.publicMessage ?? String(describing: error)
    }

    static func milliseconds(_ duration: Duration) -> Int64 { Int64((duration.inSeconds * 1000).rounded()) }
}

/// What every collector reports at `/metrics`.
struct CollectorMetrics: Sendable {
    let duration: Gauge
    let lastSuccess: Gauge
    let targets: Gauge
    let cycles: Counter
    let errors: Counter
    let skipped: Counter

    init(_ registry: MetricsRegistry) {
        duration = registry.gauge(
            "zcplatform_collector_last_duration_seconds", help: "How long the collector's last cycle took.",
            labels: ["collector"])
        lastSuccess = registry.gauge(
            "zcplatform_collector_last_success_timestamp_seconds",
            help: "When the collector last finished a cycle, in Unix seconds.", labels: ["collector"])
        targets = registry.gauge(
            "zcplatform_collector_targets", help: "Targets (tenants) in the collector's last cycle.",
            labels: ["collector"])
        cycles = registry.counter(
            "zcplatform_collector_cycles_total", help: "Collector cycles by outcome.", labels: ["collector", "outcome"])
        errors = registry.counter(
            "zcplatform_collector_errors_total",
            help: "Failed collector cycles plus targets that failed within a cycle.", labels: ["collector"])
        skipped = registry.counter(
            "zcplatform_collector_skipped_cycles_total",
            help: "Cycles skipped because the previous one ran past their start.", labels: ["collector"])
    }
}
