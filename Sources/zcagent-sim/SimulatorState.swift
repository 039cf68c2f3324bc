import Foundation
import Synchronization

/// What the simulated agent has done and how it is told to behave.
final class SimulatorState: Sendable {
    enum Mode: String, Sendable {
        /// Answers /health 200.
        case healthy
        /// Answers /health 503.
        case unhealthy
        /// Answers /health 200 with the scheduler in `error` (ZeroClaw's degraded agent).
        case degraded
        /// Answers /health after 10 seconds (a health probe times out first).
        case slow
        /// Exits with status 1 right after answering the request that asked for it.
        case crash
        /// Answers /health 200, its provider failing: `zeroclaw_errors_total` rises by 5 a second.
        case erroring
    }

    struct Counters: Sendable {
        var messages: [String: (inbound: Int, outbound: Int)] = ["telegram": (0, 0), "discord": (0, 0)]
        var tokensIn = 0
        var tokensOut = 0
        var requests: [Double] = []
    }

    let started = Date()
    /// Errors counted before the current `erroring` spell, and when it began.
    private let errors = Mutex<(counted: Double, since: Date?)>((0, nil))
    private let mode: Mutex<Mode>
    private let counters = Mutex(Counters())
    /// The enabled channels, and whether the simulated service rejects each one's token.
    let channels: [(kind: String, rejected: Bool)]

    init(mode: Mode, channels: [(kind: String, rejected: Bool)] = []) {
        self.mode = Mutex(mode)
        if mode == .erroring { errors.withLock { $0.since = Date() } }
        self.channels = channels
    }

    /// `/health` in ZeroClaw's shape: `runtime.components.NAME.{status, last_error, restart_count}`.
    func healthBody() -> String {
        let uptime = Int(Date().timeIntervalSince(started))
        func component(_ name: String, failing: String?, restarts: Int = 0) -> String {
            let status = failing == nil ? "ok" : "error"
            let error = failing.map { "\"\($0)\"" } ?? "null"
            return #""\#(name)":{"status":"\#(status)","last_error":\#(error),"restart_count":\#(restarts)}"#
        }
        var parts = [component("gateway", failing: nil)]
        parts.append(component("scheduler", failing: current == .degraded ? "scheduler stalled (simulated)" : nil))
        for channel in channels {
            parts.append(
                component(
                    "channel:\(channel.kind)", failing: channel.rejected ? "401 Unauthorized (simulated)" : nil,
                    restarts: channel.rejected ? 1 + uptime / 5 : 0))
        }
        return
            #"{"status":"ok","paired":false,"require_pairing":true,"runtime":{"pid":\#(getpid()),"uptime_seconds":\#(uptime),"components":{\#(parts.joined(separator: ","))}}}"#
    }

    var current: Mode { mode.withLock { $0 } }
    func set(_ new: Mode) {
        mode.withLock { $0 = new }
        errors.withLock { errors in
            if let since = errors.since { errors.counted += Date().timeIntervalSince(since) * 5 }
            errors.since = new == .erroring ? Date() : nil
        }
    }

    /// `zeroclaw_errors_total{component="provider"}`: 5 a second while `erroring`, still otherwise.
    var errorCount: Int {
        errors.withLock { errors in
            Int(errors.counted + (errors.since.map { Date().timeIntervalSince($0) * 5 } ?? 0))
        }
    }

    private let traffic = Mutex(true)
    var trafficOn: Bool { traffic.withLock { $0 } }
    func setTraffic(_ on: Bool) { traffic.withLock { $0 = on } }

    /// One simulated exchange: a message in, a reply out, tokens spent.
    func simulateTraffic() {
        counters.withLock { counters in
            let channel = Bool.random() ? "telegram" : "discord"
            var pair = counters.messages[channel] ?? (0, 0)
            pair.inbound += 1
            pair.outbound += 1
            counters.messages[channel] = pair
            counters.tokensIn += Int.random(in: 200...1200)
            counters.tokensOut += Int.random(in: 50...400)
            counters.requests.append(Double.random(in: 0.2...3.0))
            if counters.requests.count > 1000 { counters.requests.removeFirst(500) }
        }
    }

    /// Prometheus text in both metric-name families of PRODUCT.md, plus a histogram to be skipped.
    func metrics() -> String {
        counters.withLock { counters in
            var text = ""
            let inbound = counters.messages.values.reduce(0) { $0 + $1.inbound }
            text += "# HELP zeroclaw_messages_total Messages handled (legacy name).\n"
            text += "# TYPE zeroclaw_messages_total counter\n"
            text += "zeroclaw_messages_total \(inbound)\n"
            text += "# HELP zeroclaw_tokens_total Tokens used (legacy name).\n"
            text += "# TYPE zeroclaw_tokens_total counter\n"
            text += "zeroclaw_tokens_total{direction=\"input\"} \(counters.tokensIn)\n"
            text += "zeroclaw_tokens_total{direction=\"output\"} \(counters.tokensOut)\n"
            text += "# HELP zeroclaw_channel_messages_total Messages per channel and direction.\n"
            text += "# TYPE zeroclaw_channel_messages_total counter\n"
            for (channel, pair) in counters.messages.sorted(by: { $0.key < $1.key }) {
                text +=
                    "zeroclaw_channel_messages_total{channel=\"\(channel)\",direction=\"inbound\"} \(pair.inbound)\n"
                text +=
                    "zeroclaw_channel_messages_total{channel=\"\(channel)\",direction=\"outbound\"} \(pair.outbound)\n"
            }
            text += "# HELP zeroclaw_tokens_input_total Input tokens per provider and model.\n"
            text += "# TYPE zeroclaw_tokens_input_total counter\n"
            text +=
                "zeroclaw_tokens_input_total{model_provider=\"openrouter\",model=\"sim\\\"model\"} \(counters.tokensIn)\n"
            text += "# HELP zeroclaw_tokens_output_total Output tokens per provider and model.\n"
            text += "# TYPE zeroclaw_tokens_output_total counter\n"
            text +=
                "zeroclaw_tokens_output_total{model_provider=\"openrouter\",model=\"sim\\\"model\"} \(counters.tokensOut)\n"
            let bounds = [0.5, 1, 2.5]
            text += "# HELP zeroclaw_llm_request_duration_seconds Provider latency.\n"
            text += "# TYPE zeroclaw_llm_request_duration_seconds histogram\n"
            for bound in bounds {
                let count = counters.requests.filter { $0 <= bound }.count
                text += "zeroclaw_llm_request_duration_seconds_bucket{le=\"\(bound)\"} \(count)\n"
            }
            text += "zeroclaw_llm_request_duration_seconds_bucket{le=\"+Inf\"} \(counters.requests.count)\n"
            text += "zeroclaw_llm_request_duration_seconds_sum \(counters.requests.reduce(0, +))\n"
            text += "zeroclaw_llm_request_duration_seconds_count \(counters.requests.count)\n"
            text += "# HELP zeroclaw_errors_total Total errors by component\n# TYPE zeroclaw_errors_total counter\n"
            text += "zeroclaw_errors_total{component=\"provider\"} \(errorCount)\n"
            text += "# HELP zeroclaw_up Always 1.\n# TYPE zeroclaw_up gauge\nzeroclaw_up 1\n"
            return text
        }
    }
}
