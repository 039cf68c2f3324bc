import ZCCore

extension TenantLifecycle {
    /// Stops every agent of this node and keeps reconciliation from starting any until `unfence()`: the
    /// node could not record its heartbeat, so the rest of the cluster may think it down.
    func fence() async {
        fenced.withLock { $0 = true }
        do {
            let containers = try await runtime.list(labels: ["zcplatform.node": settings.nodeID])
            var stopped = 0
            for container in containers where container.state == .running {
                do {
                    try await runtime.stop(container.id, timeout: settings.stopTimeout)
                    stopped += 1
                } catch ContainerRuntimeError.notFound {}
            }
            logger.warning("node.agents_fenced", ["node": settings.nodeID, "stopped": stopped])
        } catch {
            logger.error("node.fence_failed", ["node": settings.nodeID, "error": "\(error)"])
        }
    }

    /// Lets reconciliation run again, at once: it starts the agents of the tenants still placed here.
    func unfence() {
        fenced.withLock { $0 = false }
        wake()
    }

    var isFenced: Bool { fenced.withLock { $0 } }

    /// No agent starts on a fenced node.
    func refuseWhileFenced() throws {
        guard isFenced else { return }
        throw Failure(
            .unavailable,
            "node \(settings.nodeID) could not record its heartbeat and has stopped its agents; try again once it is back",
            retryAfterSeconds: 10)
    }
}
