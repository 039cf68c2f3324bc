import ZCCore

/// Hears, through the store's signals, that a rollout changed anywhere in the cluster (started, a batch
/// handed out, a tenant settled, paused), and wakes this node's driver and worker at once rather than at
/// their next look. Missed signals wake them too; their intervals remain the fallback.
struct RolloutListener: Service {
    let name = "rollout-listener"
    let signals: any StoreSignals
    let wake: @Sendable () -> Void

    func run() async throws {
        let wake = wake
        try await signals.listen(RolloutService.channel) { _ in wake() }
    }
}
