import ZCCore

/// A container runtime the platform can run agents on: its name (`runtime.driver`), its own keys in
/// `[runtime]` (the Docker socket, the agent command) and a factory.
public struct RuntimeDriver: Sendable {
    public typealias Factory = @Sendable (PlatformConfiguration, Logger) throws -> any ContainerRuntime

    public let name: String
    public let keys: [ConfigurationKey]
    public var make: Factory

    public init(name: String, keys: [ConfigurationKey] = [], make: @escaping Factory) {
        self.name = name
        self.keys = keys
        self.make = make
    }

    var configurationKeys: [ConfigurationKey] { keys.map { $0.placed(in: ["runtime"]) } }
}
