import DockerRuntime
import Foundation
import PostgresStore
import ProcessRuntime
import SQLiteStore
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
        registerStore("sqlite") { configuration, logger in
            try SQLiteStore(
                options: SQLiteOptions(
                    path: configuration.store.path, readers: configuration.store.readers,
                    busyTimeoutMilliseconds: configuration.store.busyTimeoutMilliseconds),
                logger: logger.labeled("store"))
        }
        registerStore("postgres") { configuration, logger in
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
