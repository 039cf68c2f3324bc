import DockerRuntime
import Foundation
import ProcessRuntime
import ZCCore

extension PluginRegistry {
    /// Every store, runtime, collector and notifier of this build: the one explicit list of them.
    public static var standard: PluginRegistry {
        var registry = PluginRegistry()
        registry.registerStandardDrivers()
        registry.register(CollectorPlugins.resource)
        registry.register(CollectorPlugins.usage)
        registry.register(CollectorPlugins.health)
        registry.register(NotifierPlugins.log)
        registry.register(NotifierPlugins.webhook)
        registry.register(NotifierPlugins.mail)
        return registry
    }

    private mutating func registerStandardDrivers() {
        register(StoreDrivers.sqlite)
        register(StoreDrivers.postgres)
        registerRuntime("docker") { configuration, logger in
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
        registerRuntime("process") { configuration, logger in
            try ProcessRuntime(
                options: ProcessRuntimeOptions(
                    agentCommand: configuration.runtime.agentCommand.split(separator: " ").map(String.init),
                    runDirectory: (configuration.runtime.dataDirectory as NSString).appendingPathComponent(
                        ".process-runtime"),
                    shutdownTimeout: .seconds(configuration.runtime.stopTimeoutSeconds)),
                logger: logger)
        }
    }
}
