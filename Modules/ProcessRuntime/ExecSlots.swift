import Synchronization
import ZCCore

/// Counts the execs running, per agent and in all: one past a limit is refused at once (409), never queued,
/// since each running exec holds a thread and a process of the host.
final class ExecSlots: Sendable {
    private let perAgent: Int
    private let total: Int
    private let running = Mutex<(byAgent: [String: Int], all: Int)>(([:], 0))

    init(perAgent: Int, total: Int) {
        self.perAgent = perAgent
        self.total = total
    }

    func take(_ agent: String) throws(ContainerRuntimeError) {
        let refusal: String? = running.withLock { running in
            if running.byAgent[agent, default: 0] >= perAgent {
                return "\(perAgent) execs are already running in \(agent); try again when one ends"
            }
            if running.all >= total {
                return "\(total) execs are already running on this host; try again when one ends"
            }
            running.byAgent[agent, default: 0] += 1
            running.all += 1
            return nil
        }
        if let refusal { throw ContainerRuntimeError.conflict(refusal) }
    }

    func give(_ agent: String) {
        running.withLock { running in
            let left = running.byAgent[agent, default: 1] - 1
            running.byAgent[agent] = left > 0 ? left : nil
            running.all -= 1
        }
    }
}
