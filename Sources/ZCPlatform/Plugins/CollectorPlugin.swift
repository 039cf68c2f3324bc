import ZCCore
import ZCTOML

/// A collector the platform can run: its name (its table, `[collectors.NAME]`), its configuration keys
/// and a factory. Every collector has `enabled`, `interval_seconds`, `concurrency`, `timeout_seconds`
/// and, when it keeps history, `retention_days`; `keys` are its own besides those.
public struct CollectorPlugin: Sendable {
    public let name: String
    /// Seconds between cycles unless configured.
    public let defaultInterval: Int
    /// Days of history kept unless configured; nil when the collector keeps none (no `retention_days`).
    public let defaultRetentionDays: Int?
    public let keys: [ConfigurationKey]
    /// Checks the collector's settings when the configuration is loaded (`config check` shows the error).
    public let validate: @Sendable (PluginSettings) throws(ConfigurationError) -> Void
    public let make: @Sendable (CollectorContext) throws -> any Collector

    public init(
        name: String, defaultInterval: Int, defaultRetentionDays: Int? = nil, keys: [ConfigurationKey] = [],
        validate: @escaping @Sendable (PluginSettings) throws(ConfigurationError) -> Void = { _ in },
        make: @escaping @Sendable (CollectorContext) throws -> any Collector
    ) {
        self.name = name
        self.defaultInterval = defaultInterval
        self.defaultRetentionDays = defaultRetentionDays
        self.keys = keys
        self.validate = validate
        self.make = make
    }

    var table: [String] { ["collectors", name] }

    /// Every key of `[collectors.NAME]`: the common ones, then the collector's own.
    var configurationKeys: [ConfigurationKey] {
        var common = [
            ConfigurationKey("enabled", .boolean, help: "run the \(name) collector", default: true),
            ConfigurationKey(
                "interval_seconds", .integer(1...86_400), help: "seconds between cycles",
                default: .integer(Int64(defaultInterval))),
            ConfigurationKey("concurrency", .integer(1...1024), help: "targets probed at once", default: 32),
            ConfigurationKey("timeout_seconds", .integer(1...3600), help: "per-target timeout", default: 10),
        ]
        if let defaultRetentionDays {
            common.append(
                ConfigurationKey(
                    "retention_days", .integer(ConfigurationSchema.positive), help: "days of history kept",
                    default: .integer(Int64(defaultRetentionDays))))
        }
        return (common + keys).map { $0.placed(in: table) }
    }
}

/// What a collector's factory is given: its settings, and the platform's parts it may use.
public struct CollectorContext: Sendable {
    /// This node: collectors work on the tenants placed here.
    public let nodeID: String
    /// The collector's table (`settings.int("disk_max_depth")` reads `collectors.resource.disk_max_depth`).
    public let settings: PluginSettings
    /// The common keys, read.
    public let interval: Duration
    public let concurrency: Int
    public let timeout: Duration
    public let store: any Store
    public let runtime: any ContainerRuntime
    /// Restarts a tenant and records its health transitions.
    public let supervisor: any TenantSupervisor
    public let healthBoard: HealthBoard
    public let metrics: MetricsRegistry
    /// Labeled with the collector's name.
    public let logger: Logger
    /// A tenant's data directory (a tenant's own: read it as hostile).
    public let tenantDirectory: @Sendable (TenantID) -> String
    /// Where this node reaches its agents' gateways (`runtime.publish_address`, loopback for `0.0.0.0`).
    public var agentHost: String = "127.0.0.1"
}
