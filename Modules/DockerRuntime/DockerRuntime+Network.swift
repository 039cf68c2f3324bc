import ZCCore
import ZCHTTP

extension DockerRuntime {
    /// The option that turns inter-container traffic off on a bridge network.
    static let interContainerOption = "com.docker.network.bridge.enable_icc"

    /// Makes sure the tenants' bridge network exists with inter-container traffic off, creating it
    /// (labelled `zcplatform.managed`) when missing. An existing network of that name that lets
    /// containers reach each other is refused, never changed: it is the operator's. Checked once per
    /// runtime; a network removed later is made again by `create`.
    func ensureTenantNetwork() async throws {
        guard options.network == .bridge, !tenantNetworkReady.withLock({ $0 }) else { return }
        let name = options.tenantNetwork
        for _ in 0..<2 {
            let response = try await engine.request(.get, "/networks/\(DockerEngine.percentEncoded(name))")
            switch response.status.code {
            case 200:
                try Self.checkIsolated(response, name: name)
                tenantNetworkReady.withLock { $0 = true }
                return
            case 404:
                let created = try await engine.request(
                    .post, "/networks/create",
                    body: [
                        "Name": .string(name), "Driver": "bridge", "CheckDuplicate": true,
                        "Options": .object([Self.interContainerOption: "false"]),
                        "Labels": ["zcplatform.managed": "true"],
                    ])
                switch created.status.code {
                case 201:
                    logger.notice(
                        "network.created", ["network": name, "inter_container_traffic": "off"])
                    tenantNetworkReady.withLock { $0 = true }
                    return
                case 409:
                    continue  // Another node or deploy made it first: check what it is.
                default:
                    throw DockerEngine.error(created)
                }
            default:
                throw DockerEngine.error(response)
            }
        }
        throw ContainerRuntimeError.failed("the Docker network \(name) could neither be found nor created")
    }

    /// Refuses a network that is not a bridge with inter-container traffic off.
    static func checkIsolated(_ response: HTTPClientResponse, name: String) throws {
        guard case .object(let fields)? = JSONValue(jsonText: response.text) else {
            throw ContainerRuntimeError.failed("the Docker daemon described network \(name) unreadably")
        }
        let options: [String: JSONValue] =
            if case .object(let options)? = fields["Options"] { options } else { [:] }
        guard fields["Driver"] == "bridge", options[interContainerOption] == "false" else {
            throw ContainerRuntimeError.failed(
                "the Docker network \(name) lets containers reach each other (it needs driver bridge and \(interContainerOption)=false): tenants on it could reach each other's agents. Remove it (docker network rm \(name)) so zcplatform creates it, or name another with runtime.docker_network"
            )
        }
    }
}
