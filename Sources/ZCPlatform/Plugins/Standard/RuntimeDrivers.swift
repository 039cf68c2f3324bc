import DockerRuntime
import Foundation
import ProcessRuntime
import ZCCore

/// The container runtimes of this build, as registrations.
enum RuntimeDrivers {
    static let docker = RuntimeDriver(
        name: "docker",
        keys: [
            ConfigurationKey(
                "docker_socket", .string, help: "Docker Engine API socket", default: "/var/run/docker.sock"),
            ConfigurationKey(
                "network", .choice(["bridge", "host"]),
                help:
                    "docker: bridge puts agents on docker_network and publishes the gateway on 127.0.0.1:{port}; host (development only) shares the host's network",
                default: "bridge"),
            ConfigurationKey(
                "docker_network", .string,
                help: "the bridge network tenants join, inter-container traffic off (created if missing)",
                default: "zcplatform-tenants"),
            ConfigurationKey(
                "image", .string, help: "agent image (docker runtime)", default: "ghcr.io/zeroclaw-labs/zeroclaw:latest"
            ),
        ]
    ) { configuration, logger in
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

    static let process = RuntimeDriver(
        name: "process",
        keys: [
            ConfigurationKey(
                [], "agent_command", .string, help: "agent command line (process runtime)",
                rule: "zeroclaw daemon if zeroclaw is on the PATH, else zcagent-sim beside zcplatform",
                default: { $0.zeroclawOnPath ? "zeroclaw daemon" : .string("\($0.executableDirectory)/zcagent-sim") }),
            ConfigurationKey(
                [], "process_exec", .boolean,
                help: "allow exec under the process runtime, which runs programs as this user with no isolation",
                rule: "true when not root, false as root", default: { .boolean(!$0.runsAsRoot) }),
        ]
    ) { configuration, logger in
        try ProcessRuntime(
            options: ProcessRuntimeOptions(
                agentCommand: configuration.runtime.agentCommand.split(separator: " ").map(String.init),
                runDirectory: (configuration.runtime.dataDirectory as NSString).appendingPathComponent(
                    ".process-runtime"),
                shutdownTimeout: .seconds(configuration.runtime.stopTimeoutSeconds)),
            logger: logger)
    }
}
