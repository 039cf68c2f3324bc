import Foundation
import ZCCore

/// What the platform can be built from: stores and runtimes by the name `store.driver` and
/// `runtime.driver` use, collectors and notifiers with their configuration keys. `standard` holds this
/// build's; a program that embeds `ZCPlatform` registers its own beside them, loads its configuration
/// with the registry (`ConfigurationLoader.load(…, registry:)`, so its keys are known, checked and
/// documented), and opens the platform with it.
public struct PluginRegistry: Sendable {
    public typealias StoreFactory = StoreDriver.Factory
    public typealias RuntimeFactory = RuntimeDriver.Factory

    private var stores: [StoreDriver] = []
    private var runtimes: [RuntimeDriver] = []
    /// In registration order, which is the order of cycles, keys and documentation.
    public private(set) var collectors: [CollectorPlugin] = []
    public private(set) var notifiers: [NotifierPlugin] = []

    public init() {}

    /// Adds a store driver, or replaces the one of the same name.
    public mutating func register(_ driver: StoreDriver) {
        Self.put(driver, into: &stores, name: \.name)
    }

    /// Builds the store named `name` with `factory` from now on (a wrapper around a driver, in tests); a
    /// name not registered yet gets a driver with no capabilities that no locator names.
    public mutating func registerStore(_ name: String, _ factory: @escaping StoreFactory) {
        if var driver = store(named: name) {
            driver.make = factory
            register(driver)
        } else {
            register(
                StoreDriver(
                    name: name, claims: { _ in false }, locate: { _, base in base }, describe: { _ in name },
                    make: factory))
        }
    }

    public func store(named name: String) -> StoreDriver? { stores.first { $0.name == name } }

    /// The store drivers' client libraries, in registration order (`sqlite 3.40.1`, `libpq 150005`).
    public var storeLibraries: [String] { stores.compactMap(\.library) }

    /// The driver `configuration.store.driver` names; an unknown name is a configuration error.
    public func storeDriver(_ configuration: PlatformConfiguration) throws(ConfigurationError) -> StoreDriver {
        let name = configuration.store.driver
        guard let driver = store(named: name) else {
            throw ConfigurationError(
                "store.driver: unknown driver \"\(name)\" (available: \(storeDrivers.joined(separator: ", ")))")
        }
        return driver
    }

    /// The database file of the configured store, when it is one on this host (SQLite), with its driver's
    /// lock; nil for a database server or an unknown driver.
    public func databaseFile(of configuration: PlatformConfiguration) -> (path: String, driver: StoreDriver.LocalFile)?
    {
        guard let driver = store(named: configuration.store.driver), let file = driver.localFile else { return nil }
        return (file.path(configuration.store), file)
    }

    /// Where the configured store's data is, for messages.
    public func describeStore(_ configuration: PlatformConfiguration) -> String {
        store(named: configuration.store.driver)?.describe(configuration.store) ?? configuration.store.driver
    }

    /// Adds a runtime driver, or replaces the one of the same name.
    public mutating func register(_ driver: RuntimeDriver) {
        Self.put(driver, into: &runtimes, name: \.name)
    }

    /// Builds the runtime named `name` with `factory` from now on, keeping its keys.
    public mutating func registerRuntime(_ name: String, _ factory: @escaping RuntimeFactory) {
        var driver = runtimes.first { $0.name == name } ?? RuntimeDriver(name: name, make: factory)
        driver.make = factory
        register(driver)
    }

    /// Adds a collector, or replaces the one of the same name.
    public mutating func register(_ collector: CollectorPlugin) {
        Self.put(collector, into: &collectors, name: \.name)
    }

    /// Adds a notifier, or replaces the one of the same name.
    public mutating func register(_ notifier: NotifierPlugin) {
        Self.put(notifier, into: &notifiers, name: \.name)
    }

    public var storeDrivers: [String] { stores.map(\.name).sorted() }
    public var runtimeDrivers: [String] { runtimes.map(\.name).sorted() }

    /// The keys of every registered driver, collector and notifier, in their tables.
    var storeKeys: [ConfigurationKey] { stores.flatMap(\.configurationKeys) }
    var runtimeKeys: [ConfigurationKey] { runtimes.flatMap(\.configurationKeys) }
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
        guard let factory = runtimes.first(where: { $0.name == name })?.make else {
            throw ConfigurationError(
                "runtime.driver: unknown driver \"\(name)\" (available: \(runtimeDrivers.joined(separator: ", ")))")
        }
        return try factory(configuration, logger)
    }

    /// Opens a store, not migrated: the one the configuration names or, given a locator (a SQLite file's
    /// path, a `postgres://` URL), the one it names, with the configuration's other settings. The one way
    /// the platform, its commands, backups and `migrate-store` open stores.
    public func openStore(
        _ configuration: PlatformConfiguration, at locator: String? = nil, logger: Logger
    ) async throws -> any Store {
        guard let locator else { return try await storeDriver(configuration).make(configuration, logger) }
        guard !locator.isEmpty, let driver = stores.first(where: { $0.claims(locator) }) else {
            throw ConfigurationError(
                "\(locator.isEmpty ? "an empty name" : StoreMigration.describe(locator)) names no store (a SQLite path or a postgres:// URL)"
            )
        }
        var located = configuration
        located.store = driver.locate(locator, configuration.store)
        located.store.driver = driver.name
        return try await driver.make(located, logger)
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
                        logger: logger.labeled(collector.name), tenantDirectory: { directories.path(of: $0) },
                        agentHost: configuration.runtime.agentHost)))
        }
        return made
    }

    /// Replaces the entry of the same name, keeping its place, or appends.
    private static func put<Entry>(_ entry: Entry, into entries: inout [Entry], name: KeyPath<Entry, String>) {
        if let index = entries.firstIndex(where: { $0[keyPath: name] == entry[keyPath: name] }) {
            entries[index] = entry
        } else {
            entries.append(entry)
        }
    }
}
