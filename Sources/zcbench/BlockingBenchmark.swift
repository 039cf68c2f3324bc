import Dispatch
import Foundation
import ZCCore

/// How blocking work placed on dispatch's default global queue delays `Task.sleep` wake-ups elsewhere in
/// the process, against the same work on threads of its own (`DedicatedThread`, what exec, mail and the
/// tests' helpers use). Prints the worst lag of twenty 50 ms sleeps at each priority, while `blockers` work
/// items each block for `seconds`.
struct BlockingBenchmark {
    var blockers = 16
    var seconds = 3

    enum Placement: String, CaseIterable {
        case globalQueue = "DispatchQueue.global()"
        case dedicatedThreads = "DedicatedThread"
    }

    func run() async throws {
        print("\(blockers) work items each blocked for \(seconds) s; worst lag of twenty 50 ms Task.sleep calls")
        for priority in [TaskPriority.high, .medium] {
            var lags: [Placement: Duration] = [:]
            for placement in Placement.allCases {
                lags[placement] = try await lag(placement, priority: priority)
                // Let every blocker end before the next round.
                try await Task.sleep(for: .seconds(seconds) + .milliseconds(500))
            }
            for placement in Placement.allCases {
                let lag = lags[placement] ?? .zero
                print(
                    "  priority \(priority.rawValue) (\(priority == .high ? "high" : "medium")), blockers on "
                        + "\(placement.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)): worst lag "
                        + Format.number(Self.milliseconds(lag), decimals: 1) + " ms")
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// Starts the blockers, then measures the sleeps from a detached task at `priority`.
    func lag(_ placement: Placement, priority: TaskPriority) async throws -> Duration {
        let seconds = UInt32(self.seconds)
        for _ in 0..<blockers {
            switch placement {
            case .globalQueue: DispatchQueue.global().async { sleep(seconds) }
            case .dedicatedThreads: DedicatedThread.start("zcbench-blocker") { sleep(seconds) }
            }
        }
        return try await Task.detached(priority: priority) {
            var worst: Duration = .zero
            for _ in 0..<20 {
                let start = ContinuousClock.now
                try await Task.sleep(for: .milliseconds(50))
                worst = max(worst, ContinuousClock.now - start - .milliseconds(50))
            }
            return worst
        }.value
    }
}
