import Foundation
import Synchronization
import ZCCore
import ZCCrypto

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
    /// What the API, the demo and the console call: tenants, channels, members, users, configuration.
    public let services: PlatformServices
    /// What runs until the platform stops: the API, the collectors, the lifecycle's jobs.
    let backgroundServices: [any Service]
    /// The platform's own metrics, served at `/metrics`.
    public let metrics: MetricsRegistry
    public let api: APIServer
    /// Seals and opens customers' secrets.
    public let vault: Vault
    /// Runs the tenants' agents.
    public let runtime: any ContainerRuntime
    public let lifecycle: TenantLifecycle
    /// What the health checker last saw of each tenant and of the runtime.
    public let health: HealthBoard
    /// The built-in alert rules; nil when `alerts.enabled` is false.
    public let alerts: AlertEvaluator?
    private let closed = Atomic<Bool>(false)
    /// The database file's server lock (a store on this host, SQLite), held while the platform is open.
    private let lock = Mutex<(any Sendable)?>(nil)

    init(
        configuration: PlatformConfiguration, store: any Store, logger: Logger, services: [any Service],
        metrics: MetricsRegistry, api: APIServer, vault: Vault, runtime: any ContainerRuntime,
        lifecycle: TenantLifecycle, health: HealthBoard, alerts: AlertEvaluator?, platformServices: PlatformServices
    ) {
        self.health = health
        self.alerts = alerts
        self.vault = vault
        self.runtime = runtime
        self.lifecycle = lifecycle
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.backgroundServices = services
        self.services = platformServices
        self.metrics = metrics
        self.api = api
    }

    /// Opens and migrates the store the configuration names, and prepares the services.
    /// - Parameter notifier: delivers login codes and alerts; by default the notifiers the configuration
    ///   enables (the log notifier).
    public static func open(
        _ configuration: PlatformConfiguration, registry: PluginRegistry = .standard, logger: Logger,
        notifier: (any Notifier)? = nil
    ) async throws -> Platform {
        var serverLock: (any Sendable)?
        if let file = registry.databaseFile(of: configuration) {
            // One server per database file; `restore` checks this lock before swapping the files.
            let directory = (file.path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try? FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            do {
                serverLock = try file.driver.lock(file.path)
                // A restore cut short is finished before the database is opened.
                try await BackupRestorer(configuration: configuration, registry: registry, logger: logger)
                    .finishInterrupted()
            } catch let error as BackupError {
                throw ConfigurationError(error.description)
            }
            try EarlierLife.refuseEmptyDatabase(configuration, file: file.path)
        }
        let store = try await registry.openStore(configuration, logger: logger)
        let schema: Int
        do {
            let applied = try await store.migrate()
            let version = try await store.schemaVersion()
            schema = version.latest
            logger.info(
                "store.ready",
                ["driver": store.driver, "schema": version.applied, "migrations_applied": applied.count])
        } catch {
            await store.close()
            throw error
        }
        let vault: Vault
        do {
            vault = try await VaultAdministration.open(
                path: configuration.vaultKeyPath, store: store, logger: logger.labeled("vault"))
        } catch {
            await store.close()
            throw error
        }
        let now = Timestamp.now()
        let node = Node(
            id: configuration.cluster.nodeID,
            address: configuration.cluster.advertiseAddress
                ?? AdvertiseAddress(host: configuration.server.host, port: configuration.server.port).description,
            version: version, startedAt: now, lastHeartbeat: now, memoryCapacity: configuration.cluster.memoryCapacity)
        if registry.databaseFile(of: configuration) == nil {
            logger.info(
                "cluster.advertise",
                [
                    "node": node.id, "address": node.address,
                    "from": configuration.cluster.advertiseAddress == nil
                        ? "server.host and server.port" : "cluster.advertise_address",
                    "written": configuration.cluster.advertiseAddressAsWritten ?? node.address,
                ])
        }
        if registry.databaseFile(of: configuration) == nil, TenantForwarding.endpoint(node.address) == nil {
            logger.warning(
                "cluster.address_unusable",
                [
                    "address": node.address,
                    "detail":
                        "other nodes cannot forward this node's tenants' requests to it; set cluster.advertise_address to host:port as they reach it",
                ])
        }
        let metrics = MetricsRegistry()
        metrics.gauge("zcplatform_build_info", help: "The running build.", labels: ["version", "store"])
            .set(1, labels: [version, store.driver])
        metrics.gauge("zcplatform_start_time_seconds", help: "When this process started, in Unix seconds.")
            .set(Double(now.seconds))
        let runtime: any ContainerRuntime
        let lifecycle: TenantLifecycle
        do {
            runtime = try registry.makeRuntime(configuration, logger: logger.labeled("runtime"))
            var settings = TenantLifecycle.Settings(configuration)
            settings.clustered = registry.databaseFile(of: configuration) == nil
            lifecycle = TenantLifecycle(
                store: store, runtime: runtime, vault: vault, configuration: configuration, metrics: metrics,
                logger: logger.labeled("lifecycle"), settings: settings)
        } catch {
            await store.close()
            throw error
        }
        logger.info(
            "runtime.ready",
            ["driver": runtime.driver, "isolated": runtime.isolated, "data_dir": lifecycle.directories.root])
        let configured = notifier == nil
        let given = notifier
        let notifier: any Notifier
        do {
            notifier = try given ?? registry.makeNotifier(configuration, logger: logger.labeled("notifier"))
        } catch {
            await store.close()
            throw error
        }
        // Login codes leave through a queue: the request's answer never waits on, nor tells of, the mail.
        let codes = configured ? NotificationQueue(notifier, logger: logger.labeled("notifier")) : nil
        let codeCarriers = registry.notifiers.filter(\.deliversLoginCodes).map(\.name)
        if !codeCarriers.contains(where: configuration.isEnabled(notifier:)) && !configuration.auth.printLoginCodes {
            logger.warning(
                "auth.codes_undeliverable",
                [
                    "detail":
                        "no [notifiers.mail] is configured, so login codes reach no one; sign in with API tokens (zcplatform bootstrap) or configure mail"
                ])
        }
        let auth = AuthService(
            store: store, notifier: codes ?? notifier, settings: configuration.auth, logger: logger.labeled("auth"))
        let health = HealthBoard()
        let collectors: [any Collector]
        do {
            collectors = try registry.makeCollectors(
                configuration, store: store, runtime: runtime, lifecycle: lifecycle, health: health, metrics: metrics,
                logger: logger)
        } catch {
            await store.close()
            throw error
        }
        let leader = LeaderElection(
            store: store, nodeID: configuration.cluster.nodeID,
            renewEvery: .seconds(configuration.cluster.leaderRenewSeconds),
            leaseSeconds: Int64(configuration.cluster.leaderLeaseSeconds), metrics: metrics,
            logger: logger.labeled("cluster"))
        var alerts: AlertEvaluator?
        var clusterAlerts: AlertEvaluator?
        if configuration.alerts.enabled {
            let dataPath = configuration.runtime.dataDirectory
            let settings = configuration.alerts
            alerts = AlertEvaluator(
                store: store, health: health, notifier: notifier,
                rules: AlertRules(
                    errorFor: .seconds(settings.healthErrorMinutes * 60), cpuPercent: settings.cpuPct,
                    cpuFor: .seconds(settings.cpuMinutes * 60), diskWarningPercent: settings.diskWarningPct,
                    diskCriticalPercent: settings.diskCriticalPct,
                    runtimeOutageFor: .seconds(settings.runtimeOutageMinutes * 60)),
                nodeID: configuration.cluster.nodeID, interval: .seconds(settings.evaluationSeconds),
                dataPath: dataPath, metrics: metrics, logger: logger.labeled("alerts"),
                diskUsage: { DiskUsage.percentUsed(of: dataPath) })
            // NodeDown, evaluated by the leader alone: once per cluster.
            clusterAlerts = AlertEvaluator(
                store: store, health: health, notifier: notifier, rules: AlertRules(),
                nodeID: configuration.cluster.nodeID, interval: .seconds(settings.evaluationSeconds),
                dataPath: dataPath, metrics: metrics, logger: logger.labeled("alerts"), diskUsage: { nil },
                scope: .cluster(isLeader: { leader.isLeader }))
        }
        let (driverWakeup, workerWakeup) = (Wakeup(), Wakeup())
        let rolloutDriver = RolloutDriver(
            store: store, isLeader: { leader.isLeader }, metrics: metrics,
            logger: logger.labeled("rollout"), wakeup: driverWakeup, wakePeer: { workerWakeup.signal() })
        let rolloutWorker = RolloutWorker(
            store: store, lifecycle: lifecycle, runtime: runtime, nodeID: configuration.cluster.nodeID,
            logger: logger.labeled("rollout"), wakeup: workerWakeup, wakePeer: { driverWakeup.signal() })
        let wakeRollouts: @Sendable () -> Void = {
            rolloutDriver.wake()
            rolloutWorker.wake()
        }
        let platformServices = PlatformServices(
            store: store, vault: vault, auth: auth, lifecycle: lifecycle, plans: configuration.plans,
            fleet: FleetReports(
                store: store, health: health, runtime: runtime,
                resourceInterval: Int64(configuration.collectors["resource"]?.intervalSeconds ?? 60)),
            rollouts: RolloutService(store: store, wake: wakeRollouts))
        let readiness = NodeReadiness(
            store: store, schema: schema, isFenced: { lifecycle.isFenced }, logger: logger.labeled("readiness"))
        let api = APIServer(
            configuration: configuration, store: store, services: platformServices, health: health, alerts: alerts,
            metrics: metrics, logger: logger, readiness: readiness)
        let addressCheck = AddressCheckOutcome()
        // Started in order, stopped in reverse: the API stops taking requests first, the lease is given up last.
        let services: [any Service] =
            [
                leader,
                readiness,
                NodeHeartbeat(
                    store: store, node: node, plans: configuration.plans,
                    interval: .seconds(configuration.cluster.heartbeatSeconds),
                    downAfter: .seconds(configuration.cluster.nodeDownSeconds), metrics: metrics,
                    isLeader: { leader.isLeader }, logger: logger.labeled("cluster"),
                    selfFence: .seconds(configuration.cluster.selfFenceSeconds), fence: { await lifecycle.fence() },
                    unfence: { lifecycle.unfence() }, vaultKey: { vault.fingerprint },
                    addressCheck: { addressCheck.current }),
                RetentionService(
                    store: store, rules: RetentionService.rules(for: configuration),
                    interval: .seconds(configuration.store.pruneIntervalSeconds),
                    batchRows: configuration.store.pruneBatchRows, logger: logger.labeled("retention"),
                    isLeader: { leader.isLeader }),
                lifecycle,
                rolloutWorker,
                rolloutDriver,
            ]
            + ((store as? any StoreSignals).map {
                [
                    WorkListener(
                        signals: $0, nodeID: configuration.cluster.nodeID, lifecycle: lifecycle,
                        logger: logger.labeled("cluster")),
                    PrincipalListener(signals: $0, principals: auth.principals),
                    RolloutListener(signals: $0, wake: wakeRollouts),
                ]
            } ?? [])
            + (lifecycle.settings.clustered
                ? [
                    NodeSelfCheck(
                        store: store, nodeID: node.id, outcome: addressCheck, address: node.address,
                        vaultKey: { vault.fingerprint },
                        nonce: api.selfCheckNonce, client: api.forwarding, listening: { _ = try await api.port() },
                        logger: logger.labeled("cluster"))
                ] : [])
            + [
                FleetGauges(store: store, metrics: metrics, interval: .seconds(15), logger: logger.labeled("fleet"))
            ]
            + [alerts, clusterAlerts].compactMap { $0 }
            + collectors.map { CollectorSchedule($0, metrics: metrics, logger: logger.labeled("collector")) }
            + (codes.map { [$0] } ?? []) + [api]
        let platform = Platform(
            configuration: configuration, store: store, logger: logger, services: services, metrics: metrics, api: api,
            vault: vault, runtime: runtime, lifecycle: lifecycle, health: health, alerts: alerts,
            platformServices: platformServices)
        platform.lock.withLock { $0 = serverLock }
        return platform
    }

    /// Runs every service until the task is cancelled (or one fails), then closes the store.
    public func run() async throws {
        logger.notice("platform.started", ["version": Self.version, "node": configuration.cluster.nodeID])
        // Every service sleeps; none may be the first to need a timer's descriptor when there are none.
        await DispatchTimers.warm()

        do {
            try await ServiceGroup(services: backgroundServices, logger: logger.labeled("services")).run()
        } catch {
            await close()
            throw error
        }
        await close()
        logger.notice("platform.stopped", [:])
    }

    /// Releases the runtime (the process runtime stops its agents) and closes the store; once.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await runtime.shutdown()
        await store.close()
        lock.withLock { $0 = nil }
    }
}
