import ZCCore

/// Records this node in the store on start and at every heartbeat, so a fleet sharing one database
/// knows which nodes are alive.
public struct NodeHeartbeat: Service {
    public let name = "node-heartbeat"
    let store: any Store
    let node: Node
    let interval: Duration
    let logger: Logger

    public init(store: any Store, node: Node, interval: Duration, logger: Logger) {
        self.store = store
        self.node = node
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var current = node
        while !Task.isCancelled {
            current.lastSeenAt = .now()
            let seen = current
            do {
                try await store.withTransaction { try await $0.upsertNode(seen) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("node.heartbeat_failed", ["node": node.id, "error": String(describing: error)])
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }
}
