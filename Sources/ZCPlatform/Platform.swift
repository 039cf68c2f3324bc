import Foundation
import ZCCore

/// The platform as a library: built from a configuration, run until its task is cancelled.
///
/// ```swift
/// let platform = try await Platform.open(configuration, logger: logger)
/// try await platform.run()   // returns when the task is cancelled; closes the store
/// ```
public final class Platform: Sendable {
    public static let version = "0.1.0"

    public let configuration: PlatformConfiguration
    public let store: any Store
    public let logger: Logger
    public let services: [any Service]

    init(configuration: PlatformConfiguration, store: any Store, logger: Logger, services: [any Service]) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.services = services
    }

    /// Opens and migrates the store the configuration names, and prepares the services.
    public static func open(
        _ configuration: PlatformConfiguration, registry: DriverRegistry = .standard, logger: Logger
    ) async throws -> Platform {
        let store = try await registry.makeStore(configuration, logger: logger)
        do {
            let applied = try await store.migrate()
            let version = try await store.schemaVersion()
            logger.info(
                "store.ready",
                ["driver": store.driver, "schema": version.applied, "migrations_applied": applied.count])
        } catch {
            await store.close()
            throw error
        }
        let now = Timestamp.now()
        let node = Node(
            id: configuration.cluster.nodeID,
            address: configuration.cluster.advertiseAddress
                ?? "\(configuration.server.host):\(configuration.server.port)",
            version: version, startedAt: now, lastSeenAt: now)
        let services: [any Service] = [
            NodeHeartbeat(
                store: store, node: node, interval: .seconds(configuration.cluster.heartbeatSeconds),
                logger: logger.labeled("cluster")),
            RetentionService(
                store: store, rules: RetentionService.rules(for: configuration),
                interval: .seconds(configuration.store.pruneIntervalSeconds),
                batchRows: configuration.store.pruneBatchRows, logger: logger.labeled("retention")),
        ]
        return Platform(configuration: configuration, store: store, logger: logger, services: services)
    }

    /// Runs every service until the task is cancelled (or one fails), then closes the store.
    public func run() async throws {
        logger.notice("platform.started", ["version": Self.version, "node": configuration.cluster.nodeID])
        do {
            try await ServiceGroup(services: services, logger: logger.labeled("services")).run()
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        logger.notice("platform.stopped", [:])
    }
}
