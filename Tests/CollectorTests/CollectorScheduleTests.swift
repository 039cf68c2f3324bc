import Synchronization
import Testing
import ZCCore

@Suite("Collector schedule and bounded concurrency")
struct CollectorScheduleTests {
    /// Time that moves only when a cycle "works" or the schedule sleeps: the schedule's arithmetic is
    /// checked exactly, whatever the machine's load.
    final class ManualClock: Sendable {
        private let offset = Mutex<Duration>(.zero)
        let origin = ContinuousClock.now

        var now: ContinuousClock.Instant { origin + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }

        func sleep(until deadline: ContinuousClock.Instant) async throws {
            try Task.checkCancellation()
            offset.withLock { current in current = max(current, deadline - origin) }
            await Task.yield()
        }
    }

    /// A collector whose cycles take as long as it is told on the manual clock, counting them.
    final class TimedCollector: Collector {
        let name = "timed"
        let interval: Duration
        let durations: [Duration]
        let clock: ManualClock
        let cycles = Atomic<Int>(0)
        let starts = Mutex<[Duration]>([])
        let failOn: Set<Int>
        let stopAfter: Int

        init(interval: Duration, durations: [Duration], clock: ManualClock, failOn: Set<Int> = [], stopAfter: Int) {
            self.interval = interval
            self.durations = durations
            self.clock = clock
            self.failOn = failOn
            self.stopAfter = stopAfter
        }

        func collect() async throws -> CollectionReport {
            let index = cycles.add(1, ordering: .relaxed).oldValue
            starts.withLock { $0.append(clock.now - clock.origin) }
            if index >= stopAfter {
                // Enough cycles: end the schedule as a shutdown would.
                withUnsafeCurrentTask { $0?.cancel() }
                throw CancellationError()
            }
            clock.advance(durations[min(index, durations.count - 1)])
            if failOn.contains(index) { throw ProbeFailure() }
            return CollectionReport(targets: 3, failures: 1, written: 2)
        }
    }

    static func run(_ collector: TimedCollector, metrics: MetricsRegistry) async {
        let clock = collector.clock
        let schedule = CollectorSchedule(
            collector, metrics: metrics, logger: Logger(label: "test", handler: NullLogHandler()),
            sleep: { try await clock.sleep(until: $0) }, now: { clock.now })
        // In a child task of its own: the collector's cancel ends the schedule, not the test (a cancelled test
        // task is reported "cancelled", not passed or failed).
        async let finished: Void = { try? await schedule.run() }()
        await finished
    }

    @Test("a cycle that overruns skips the ticks it missed; cycles start on the interval's grid")
    func overrun() async throws {
        let metrics = MetricsRegistry()
        let clock = ManualClock()
        // 100 ms interval; the second cycle takes 350 ms: the ticks at 200, 300 and 400 ms pass while it runs.
        let collector = TimedCollector(
            interval: .milliseconds(100), durations: [.milliseconds(10), .milliseconds(350), .milliseconds(10)],
            clock: clock, stopAfter: 4)
        await Self.run(collector, metrics: metrics)
        // Four cycles, then the fifth start, which ends the run.
        #expect(
            collector.starts.withLock { $0 } == [
                .zero, .milliseconds(100), .milliseconds(500), .milliseconds(600), .milliseconds(700),
            ])
        #expect(metrics.counter("zcplatform_collector_skipped_cycles_total", help: "").value(labels: ["timed"]) == 3)
        // Each of the four reported one failed target.
        #expect(metrics.counter("zcplatform_collector_errors_total", help: "").value(labels: ["timed"]) == 4)
        #expect(metrics.gauge("zcplatform_collector_targets", help: "").value(labels: ["timed"]) == 3)
        #expect(
            metrics.gauge("zcplatform_collector_last_duration_seconds", help: "").value(labels: ["timed"]) == 0.01)
        let text = metrics.render()
        #expect(text.contains("zcplatform_collector_last_success_timestamp_seconds{collector=\"timed\"}"))
    }

    @Test("a failed cycle is counted and the schedule goes on")
    func failure() async throws {
        let metrics = MetricsRegistry()
        let collector = TimedCollector(
            interval: .milliseconds(50), durations: [.milliseconds(1)], clock: ManualClock(), failOn: [0],
            stopAfter: 3)
        await Self.run(collector, metrics: metrics)
        #expect(collector.cycles.load(ordering: .relaxed) == 4)
        #expect(
            metrics.counter("zcplatform_collector_cycles_total", help: "").value(labels: ["timed", "failed"]) == 1)
        #expect(
            metrics.counter("zcplatform_collector_cycles_total", help: "").value(labels: ["timed", "succeeded"]) == 2)
    }

    @Test("mapConcurrently keeps the order, bounds the concurrency and cuts each item at its timeout")
    func boundedMap() async throws {
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let results = await mapConcurrently(Array(0..<20), limit: 4, timeout: .milliseconds(200)) { item in
            let now = running.add(1, ordering: .relaxed).newValue
            peak.max(now, ordering: .relaxed)
            defer { running.subtract(1, ordering: .relaxed) }
            if item == 7 { try await Task.sleep(for: .seconds(10)) }
            if item == 9 { throw ProbeFailure() }
            try await Task.sleep(for: .milliseconds(10))
            return item * 2
        }
        #expect(peak.load(ordering: .relaxed) <= 4)
        #expect(peak.load(ordering: .relaxed) >= 2)
        for (index, result) in results.enumerated() {
            switch (index, result) {
            case (7, .failure(let error)): #expect(error is TargetTimedOut)
            case (9, .failure(let error)): #expect(error is ProbeFailure)
            case (_, .success(let value)): #expect(value == index * 2)
            default: Issue.record("item \(index): \(result)")
            }
        }
    }

    struct ProbeFailure: Error {}
}
