import ZCCore

/// The body of `POST /containers/create`: the spec with every isolation setting the product requires.
enum DockerContainerConfig {
    /// Where the tenant's directory appears inside the container.
    static let dataMount = "/zeroclaw-data"

    static func body(_ spec: ContainerSpec, options: DockerRuntimeOptions) throws(ContainerRuntimeError) -> JSONValue {
        try AgentEnvironment.check(spec.environment)
        var environment = spec.environment
        environment["HOME"] = dataMount
        let portKey = "\(spec.containerPort)/tcp"
        var hostConfig: [String: JSONValue] = [
            "CapDrop": ["ALL"],
            "SecurityOpt": ["no-new-privileges:true"],
            "ReadonlyRootfs": true,
            "Tmpfs": .object(["/tmp": .string("rw,noexec,nosuid,nodev,size=\(options.tmpfsSize)")]),
            "Memory": .number(Double(spec.memoryBytes)),
            "MemorySwap": .number(Double(spec.memoryBytes)),
            "NanoCpus": .number((spec.cpuLimit * 1e9).rounded()),
            "PidsLimit": .number(Double(spec.pidsLimit)),
            "Mounts": [
                [
                    "Type": "bind", "Source": .string(spec.dataDirectory), "Target": .string(dataMount),
                    "ReadOnly": false,
                ]
            ],
            "RestartPolicy": ["Name": "unless-stopped"],
            "LogConfig": ["Type": "json-file", "Config": ["max-size": "50m", "max-file": "3"]],
        ]
        var config: [String: JSONValue] = [:]
        switch options.network {
        case .bridge:
            // Inside its own network namespace the gateway binds every address; the port is published on
            // the host's `hostAddress` only.
            environment.merge(
                AgentEnvironment.gateway(host: "0.0.0.0", port: spec.containerPort, publicBind: true)
            ) { _, platform in platform }
            hostConfig["NetworkMode"] = .string(options.tenantNetwork)
            hostConfig["PortBindings"] = .object([
                portKey: [["HostIp": .string(spec.hostAddress), "HostPort": .string(String(spec.hostPort))]]
            ])
            config["ExposedPorts"] = .object([portKey: .object([:])])
        case .host:
            environment.merge(AgentEnvironment.gateway(host: spec.hostAddress, port: spec.hostPort)) { _, platform in
                platform
            }
            hostConfig["NetworkMode"] = "host"
        }
        config["Image"] = .string(spec.image)
        if !spec.entrypoint.isEmpty { config["Entrypoint"] = .array(spec.entrypoint.map { .string($0) }) }
        if !spec.command.isEmpty { config["Cmd"] = .array(spec.command.map { .string($0) }) }
        config["Env"] = .array(environment.sorted { $0.key < $1.key }.map { .string("\($0.key)=\($0.value)") })
        config["User"] = .string("\(spec.uid):\(spec.uid)")
        config["WorkingDir"] = .string(dataMount)
        config["Labels"] = .object(spec.labels.mapValues { .string($0) })
        config["HostConfig"] = .object(hostConfig)
        return .object(config)
    }
}
