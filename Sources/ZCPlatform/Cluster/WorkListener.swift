import ZCCore

/// Hears, through the store's signals, that another node placed a tenant on this one, and wakes the
/// lifecycle's reconciliation to start it at once rather than at its next interval. Missed signals (a
/// lost connection) wake it too; the interval remains the fallback.
struct WorkListener: Service {
    let name = "work-listener"
    let signals: any StoreSignals
    let nodeID: String
    let lifecycle: TenantLifecycle
    let logger: Logger

    func run() async throws {
        let (nodeID, lifecycle, logger) = (nodeID, lifecycle, logger)
        try await signals.listen(TenantLifecycle.workChannel) { payload in
            guard payload == nil || payload == nodeID else { return }
            logger.debug("cluster.work_signalled", ["node": nodeID, "missed": payload == nil])
            lifecycle.wake()
        }
    }
}
