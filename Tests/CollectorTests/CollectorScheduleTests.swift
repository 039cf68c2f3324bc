import Synchronization
import Testing
import ZCCore

@Suite("Collector schedule and bounded concurrency")
struct CollectorScheduleTests {
    /// A collector whose cycles take as long as it is told, counting them.
    final class TimedCollector: Collector {
        let name = "timed"
        let interval: Duration
        let durations: [Duration]
        let cycles = Atomic<Int>(0)
        let completed = Atomic<Int>(0)
        let running = Atomic<Bool>(false)
        let overlapped = Atomic<Bool>(false)
        let failOn: Set<Int>

        init(interval: Duration, durations: [Duration], failOn: Set<Int> = []) {
            self.interval = interval
            self.durations = durations
            self.failOn = failOn
        }

        func collect() async throws -> CollectionReport {
            let index = cycles.add(1, ordering: .relaxed).oldValue
            if running.exchange(true, ordering: .relaxed) { overlapped.store(true, ordering: .relaxed) }
            defer {
                running.store(false, ordering: .relaxed)
                completed.add(1, ordering: .relaxed)
            }
            try await Task.sleep(for: durations[min(index, durations.count - 1)])
            if failOn.contains(index) { throw CancellationError() }
            return CollectionReport(targets: 3, failures: 1, written: 2)
        }
    }

    @Test("a cycle that overruns skips the ticks it missed; never two cycles at once; metrics per cycle")
    func overrun() async throws {
        let metrics = MetricsRegistry()
        // 100 ms interval; the second cycle takes 350 ms: three ticks pass while it runs.
        let collector = TimedCollector(
            interval: .milliseconds(100), durations: [.milliseconds(10), .milliseconds(350), .milliseconds(10)])
        let schedule = CollectorSchedule(
            collector, metrics: metrics, logger: Logger(label: "test", handler: NullLogHandler()))
        let task = Task { try await schedule.run() }
        try await Self.waitForCycles(collector, 4)
        task.cancel()
        _ = await task.result
        // t=0 (10 ms), t=100 (350 ms, ends at 450 or later): the ticks at 200, 300 and 400 are skipped.
        let overlapped = collector.overlapped.load(ordering: .relaxed)
        #expect(!overlapped, "two cycles ran at once")
        #expect(metrics.counter("zcplatform_collector_skipped_cycles_total", help: "").value(labels: ["timed"]) >= 3)
        #expect(metrics.counter("zcplatform_collector_errors_total", help: "").value(labels: ["timed"]) >= 3)
        #expect(metrics.gauge("zcplatform_collector_targets", help: "").value(labels: ["timed"]) == 3)
        let text = metrics.render()
        #expect(text.contains("zcplatform_collector_last_success_timestamp_seconds{collector=\"timed\"}"))
        #expect(text.contains("zcplatform_collector_last_duration_seconds{collector=\"timed\"}"))
    }

    /// Waits (up to 10 s, for loaded machines) until `count` cycles have finished.
    static func waitForCycles(_ collector: TimedCollector, _ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while collector.completed.load(ordering: .relaxed) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let completed = collector.completed.load(ordering: .relaxed)
        #expect(completed >= count)
    }

    @Test("a failed cycle is counted and the schedule goes on")
    func failure() async throws {
        let metrics = MetricsRegistry()
        let collector = TimedCollector(interval: .milliseconds(50), durations: [.milliseconds(1)], failOn: [0])
        let schedule = CollectorSchedule(
            collector, metrics: metrics, logger: Logger(label: "test", handler: NullLogHandler()))
        let task = Task { try await schedule.run() }
        try await Self.waitForCycles(collector, 3)
        task.cancel()
        _ = await task.result
        #expect(
            metrics.counter("zcplatform_collector_cycles_total", help: "").value(labels: ["timed", "failed"]) == 1)
        #expect(
            metrics.counter("zcplatform_collector_cycles_total", help: "").value(labels: ["timed", "succeeded"]) >= 2)
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
