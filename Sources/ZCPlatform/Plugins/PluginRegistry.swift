import Foundation
import ZCCore

/// What the platform can be built from: stores and runtimes by the name `store.driver` and
/// `runtime.driver` use, collectors and notifiers with their configuration keys. `standard` holds this
/// build's; a program that embeds `ZCPlatform` registers its own beside them, loads its configuration
/// with the registry (`ConfigurationLoader.load(…, registry:)`, so its keys are known, checked and
/// documented), and opens the platform with it.
public struct PluginRegistry: Sendable {
    public typealias StoreFactory = @Sendable (PlatformConfiguration, Logger) async throws -> any Store
    public typealias RuntimeFactory = @Sendable (PlatformConfiguration, Logger) throws -> any ContainerRuntime

    private var storeFactories: [String: StoreFactory] = [:]
    private var runtimeFactories: [String: RuntimeFactory] = [:]
    /// In registration order, which is the order of cycles, keys and documentation.
    public private(set) var collectors: [CollectorPlugin] = []
    public private(set) var notifiers: [NotifierPlugin] = []

    public init() {}

    public mutating func registerStore(_ name: String, _ factory: @escaping StoreFactory) {
        storeFactories[name] = factory
    }

    public mutating func registerRuntime(_ name: String, _ factory: @escaping RuntimeFactory) {
        runtimeFactories[name] = factory
    }

    /// Adds a collector, or replaces the one of the same name.
    public mutating func register(_ collector: CollectorPlugin) {
        if let index = collectors.firstIndex(where: { $0.name == collector.name }) {
            collectors[index] = collector
        } else {
            collectors.append(collector)
        }
    }

    /// Adds a notifier, or replaces the one of the same name.
    public mutating func register(_ notifier: NotifierPlugin) {
        if let index = notifiers.firstIndex(where: { $0.name == notifier.name }) {
            notifiers[index] = notifier
        } else {
            notifiers.append(notifier)
        }
    }

    public var storeDrivers: [String] { storeFactories.keys.sorted() }
    public var runtimeDrivers: [String] { runtimeFactories.keys.sorted() }

    /// The keys of every registered collector and notifier, in their tables.
    var collectorKeys: [ConfigurationKey] { collectors.flatMap(\.configurationKeys) }
    var notifierKeys: [ConfigurationKey] { notifiers.flatMap(\.configurationKeys) }

    /// Runs every plugin's own checks on a loaded configuration.
    func validate(_ settings: PluginSettings) throws(ConfigurationError) {
        for collector in collectors { try collector.validate(settings.under("collectors.\(collector.name)")) }
        for notifier in notifiers { try notifier.validate(settings.under("notifiers.\(notifier.name)")) }
    }

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
        var made: [any Notifier] = []
        if configuration.auth.printLoginCodes { made.append(LoginCodePrinter()) }
        for notifier in notifiers {
            let settings = configuration.settings("notifiers.\(notifier.name)")
            guard try settings.bool("enabled") else { continue }
            made.append(
                try notifier.make(
                    NotifierContext(
                        settings: settings, logger: logger.labeled(notifier.name),
                        externalURL: configuration.cluster.advertiseAddress.map { "http://\($0)" })))
        }
        return FanOutNotifier(made)
    }

    /// The collectors the configuration enables, each for this node's tenants.
    func makeCollectors(
        _ configuration: PlatformConfiguration, store: any Store, runtime: any ContainerRuntime,
        lifecycle: TenantLifecycle, health: HealthBoard, metrics: MetricsRegistry, logger: Logger
    ) throws -> [any Collector] {
        let directories = lifecycle.directories
        var made: [any Collector] = []
        for collector in collectors {
            guard let schedule = configuration.collectors[collector.name] else {
                throw ConfigurationError(
                    "the configuration was loaded without the \(collector.name) collector: load it with this registry")
            }
            guard schedule.enabled else { continue }
            made.append(
                try collector.make(
                    CollectorContext(
                        nodeID: configuration.cluster.nodeID,
                        settings: configuration.settings("collectors.\(collector.name)"),
                        interval: .seconds(schedule.intervalSeconds), concurrency: schedule.concurrency,
                        timeout: .seconds(schedule.timeoutSeconds), store: store, runtime: runtime,
                        supervisor: lifecycle, healthBoard: health, metrics: metrics,
                        logger: logger.labeled(collector.name), tenantDirectory: { directories.path(of: $0) })))
        }
        return made
    }
}
