/// The environment the platform gives an agent. ZeroClaw reads `ZEROCLAW_a__b` as an override of the
/// config path `a.b` (lowercase, `__` between keys) and refuses to boot on such a variable that names no
/// config path; so the platform sets only the gateway's bind address this way (where the runtime's
/// networking decides it), never a name from free input, and a runtime checks every spec before it
/// creates the agent. Everything else goes into `config.toml`.
public enum AgentEnvironment {
    /// The config paths the platform overrides through the environment (schema 3's `[gateway]`).
    public static let overridePaths = ["gateway.host", "gateway.port", "gateway.allow_public_bind"]
    /// Config paths a spec may also carry (tests and embedders that run an agent without a config file).
    public static let specPaths = ["observability.backend"]

    /// `gateway.port` → `ZEROCLAW_gateway__port`.
    public static func name(of path: String) -> String {
        "ZEROCLAW_" + path.split(separator: ".").joined(separator: "__")
    }

    /// The gateway's bind address, and whether it may bind beyond loopback (inside a container's own
    /// network namespace, where the runtime publishes it).
    public static func gateway(host: String, port: Int, publicBind: Bool = false) -> [String: String] {
        var environment = [name(of: "gateway.host"): host, name(of: "gateway.port"): String(port)]
        if publicBind { environment[name(of: "gateway.allow_public_bind")] = "true" }
        return environment
    }

    /// Refuses a lowercase `ZEROCLAW_` variable the agent would refuse to boot on (any the platform does
    /// not set itself).
    public static func check(_ environment: [String: String]) throws(ContainerRuntimeError) {
        let known = Set((overridePaths + specPaths).map(name(of:)))
        for key in environment.keys.sorted() where key.hasPrefix("ZEROCLAW_") && key.contains(where: \.isLowercase) {
            guard known.contains(key) else {
                throw ContainerRuntimeError.failed(
                    "the agent's environment may not set \(key): ZeroClaw refuses to start on a ZEROCLAW_ variable that is not one of the platform's overrides (\(known.sorted().joined(separator: ", "))); configure it in config.toml"
                )
            }
        }
    }
}
