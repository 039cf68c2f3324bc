import ZCCore
import ZCTOML

/// A notifier the platform can run: its name (its table, `[notifiers.NAME]`), its configuration keys
/// and a factory. Every notifier has `enabled` (default `defaultEnabled`); `keys` are its own besides.
public struct NotifierPlugin: Sendable {
    public let name: String
    public let defaultEnabled: Bool
    /// Whether it delivers login codes to their owners (mail does; the log must not): without one enabled,
    /// the platform warns at start that codes reach no one.
    public let deliversLoginCodes: Bool
    /// What `enabled` says in `config keys`.
    public let help: String
    public let keys: [ConfigurationKey]
    /// Checks the notifier's settings when the configuration is loaded, enabled or not.
    public let validate: @Sendable (PluginSettings) throws(ConfigurationError) -> Void
    /// Called only when the notifier is enabled.
    public let make: @Sendable (NotifierContext) throws -> any Notifier

    public init(
        name: String, defaultEnabled: Bool = false, deliversLoginCodes: Bool = false, help: String,
        keys: [ConfigurationKey] = [],
        validate: @escaping @Sendable (PluginSettings) throws(ConfigurationError) -> Void = { _ in },
        make: @escaping @Sendable (NotifierContext) throws -> any Notifier
    ) {
        self.name = name
        self.defaultEnabled = defaultEnabled
        self.deliversLoginCodes = deliversLoginCodes
        self.help = help
        self.keys = keys
        self.validate = validate
        self.make = make
    }

    var table: [String] { ["notifiers", name] }

    var configurationKeys: [ConfigurationKey] {
        ([ConfigurationKey("enabled", .boolean, help: help, default: .boolean(defaultEnabled))] + keys)
            .map { $0.placed(in: table) }
    }
}

/// What a notifier's factory is given.
public struct NotifierContext: Sendable {
    /// The notifier's table.
    public let settings: PluginSettings
    /// Labeled with the notifier's name.
    public let logger: Logger
    /// Where people reach this platform (`http://` + `cluster.advertise_address`), for links.
    public let externalURL: String?
}
