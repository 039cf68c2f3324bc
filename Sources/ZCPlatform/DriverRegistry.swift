import DockerRuntime
import Foundation
import HealthChecker
import LogNotifier
import MailNotifier
import PostgresStore
import ProcessRuntime
import ResourceCollector
import SQLiteStore
import UsageCollector
import WebhookNotifier
import ZCCore

/// Driver factories by the name the configuration uses. `standard` is the one explicit list of the
/// concrete drivers this build offers; an embedding program may register its own.
public struct DriverRegistry: Sendable {
    public typealias StoreFactory = @Sendable (PlatformConfiguration, Logger) async throws -> any Store
    public typealias RuntimeFactory = @Sendable (PlatformConfiguration, Logger) throws -> any ContainerRuntime

    private var storeFactories: [String: StoreFactory] = [:]
    private var runtimeFactories: [String: RuntimeFactory] = [:]

    public init() {}

    public mutating func registerStore(_ name: String, _ factory: @escaping StoreFactory) {
        storeFactories[name] = factory
    }

    public mutating func registerRuntime(_ name: String, _ factory: @escaping RuntimeFactory) {
        runtimeFactories[name] = factory
    }

    public var storeDrivers: [String] { storeFactories.keys.sorted() }
    public var runtimeDrivers: [String] { runtimeFactories.keys.sorted() }

    /// Builds the runtime `configuration.runtime.driver` names; an unknown name is a configuration error.
    public func makeRuntime(_ configuration: PlatformConfiguration, logger: Logger) throws -> any ContainerRuntime {
        let name = configuration.runtime.driver
        guard !name.isEmpty else {
            throw ConfigurationError(
                """
                runtime.driver is not set, there is no Docker socket at \(configuration.runtime.dockerSocket), \
                and zcplatform runs as root: it will not fall back to the process runtime, which would run every agent \
                as root on this host with no isolation. Start Docker (or set runtime.docker_socket), or set \
                runtime.driver = "process" (ZCPLATFORM_RUNTIME_DRIVER=process) for development.
                """)
        }
        guard let factory = runtimeFactories[name] else {
            throw ConfigurationError(
                "runtime.driver: unknown driver \"\(name)\" (available: \(runtimeDrivers.joined(separator: ", ")))")
        }
        return try factory(configuration, logger)
    }

    /// Builds the store `configuration.store.driver` names; an unknown name is a configuration error.
    public func makeStore(_ configuration: PlatformConfiguration, logger: Logger) async throws -> any Store {
        let name = configuration.store.driver
        guard let factory = storeFactories[name] else {
            throw ConfigurationError(
                "store.driver: unknown driver \"\(name)\" (available: \(storeDrivers.joined(separator: ", ")))")
        }
        return try await factory(configuration, logger)
    }

    /// The notifiers the configuration enables, as one.
    public func makeNotifier(_ configuration: PlatformConfiguration, logger: Logger) throws -> any Notifier {
        var notifiers: [any Notifier] = []
        if configuration.notifiers.logEnabled { notifiers.append(LogNotifier(logger: logger)) }
        if configuration.auth.printLoginCodes { notifiers.append(LoginCodePrinter()) }
        if configuration.notifiers.mail.enabled {
            notifiers.append(try MailNotifier(options: try configuration.notifiers.mail.options(), logger: logger))
        }
        let webhook = configuration.notifiers.webhook
        if webhook.enabled, let text = webhook.url, let url = URL(string: text) {
            notifiers.append(
                WebhookNotifier(
                    options: WebhookNotifierOptions(
                        url: url, secret: webhook.secret,
                        format: WebhookNotifierOptions.Format(rawValue: webhook.format) ?? .json,
                        maxAttempts: webhook.maxAttempts,
                        externalURL: configuration.cluster.advertiseAddress.map { "http://\($0)" }),
                    logger: logger.labeled("webhook")))
        }
        return FanOutNotifier(notifiers)
    }

    /// The collectors the configuration enables, each for this node's tenants.
    func makeCollectors(
        _ configuration: PlatformConfiguration, store: any Store, runtime: any ContainerRuntime,
        lifecycle: TenantLifecycle, health: HealthBoard, metrics: MetricsRegistry, logger: Logger
    ) throws -> [any Collector] {
        let node = configuration.cluster.nodeID
        let settings = configuration.collectors
        var collectors: [any Collector] = []
        if settings.resource.enabled {
            let directories = lifecycle.directories
            collectors.append(
                ResourceCollector(
                    store: store, runtime: runtime,
                    settings: ResourceCollector.Settings(
                        nodeID: node, interval: .seconds(settings.resource.intervalSeconds),
                        concurrency: settings.resource.concurrency,
                        timeout: .seconds(settings.resource.timeoutSeconds),
                        diskRefresh: .seconds(settings.resourceDiskRefreshSeconds),
                        diskBudget: .milliseconds(settings.resourceDiskBudgetMilliseconds),
                        diskMaxDepth: settings.resourceDiskMaxDepth, diskMaxEntries: settings.resourceDiskMaxEntries),
                    metrics: metrics, logger: logger.labeled("resource"), directory: { directories.path(of: $0) }))
        }
        if settings.usage.enabled {
            collectors.append(
                try UsageCollector(
                    store: store,
                    settings: UsageCollector.Settings(
                        nodeID: node, interval: .seconds(settings.usage.intervalSeconds),
                        concurrency: settings.usage.concurrency, timeout: .seconds(settings.usage.timeoutSeconds),
                        messages: settings.usageMessagesMetrics, tokensIn: settings.usageTokensInMetrics,
                        tokensOut: settings.usageTokensOutMetrics,
                        gapHorizon: .seconds(settings.usageGapHorizonSeconds)),
                    logger: logger.labeled("usage")))
        }
        if settings.health.enabled {
            collectors.append(
                try HealthChecker(
                    store: store, runtime: runtime, supervisor: lifecycle, board: health,
                    settings: HealthChecker.Settings(
                        nodeID: node, interval: .seconds(settings.health.intervalSeconds),
                        concurrency: settings.health.concurrency, timeout: .seconds(settings.health.timeoutSeconds),
                        failuresBeforeRestart: settings.healthFailuresBeforeRestart),
                    metrics: metrics, logger: logger.labeled("health")))
        }
        return collectors
    }

    /// Every driver of this build.
    public static var standard: DriverRegistry {
        var registry = DriverRegistry()
        registry.registerStore("sqlite") { configuration, logger in
            try SQLiteStore(
                options: SQLiteOptions(
                    path: configuration.store.path, readers: configuration.store.readers,
                    busyTimeoutMilliseconds: configuration.store.busyTimeoutMilliseconds),
                logger: logger.labeled("store"))
        }
        registry.registerStore("postgres") { configuration, logger in
            guard let url = configuration.store.url else {
                throw ConfigurationError("store.url is required when store.driver is \"postgres\"")
            }
            return PostgresStore(
                options: PostgresOptions(
                    url: url, poolSize: configuration.store.poolSize,
                    statementTimeoutMilliseconds: configuration.store.statementTimeoutMilliseconds,
                    applicationName: "zcplatform-\(configuration.cluster.nodeID)"),
                logger: logger.labeled("store"))
        }
        registry.registerRuntime("docker") { configuration, logger in
            var status = stat()
            let socket = configuration.runtime.dockerSocket
            guard stat(socket, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK else {
                throw ConfigurationError(
                    """
                    runtime.driver is "docker" but there is no Docker socket at \(socket): start Docker, or set \
                    runtime.docker_socket to where its socket is
                    """)
            }
            return try DockerRuntime(
                options: DockerRuntimeOptions(
                    socketPath: configuration.runtime.dockerSocket,
                    network: DockerRuntimeOptions.Network(rawValue: configuration.runtime.network) ?? .bridge,
                    tenantNetwork: configuration.runtime.dockerNetwork),
                logger: logger)
        }
        registry.registerRuntime("process") { configuration, logger in
            try ProcessRuntime(
                options: ProcessRuntimeOptions(
                    agentCommand: configuration.runtime.agentCommand.split(separator: " ").map(String.init),
                    runDirectory: (configuration.runtime.dataDirectory as NSString).appendingPathComponent(
                        ".process-runtime"),
                    shutdownTimeout: .seconds(configuration.runtime.stopTimeoutSeconds)),
                logger: logger)
        }
        return registry
    }
}
