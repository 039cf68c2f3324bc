/// How the Docker runtime reaches the daemon and networks its containers.
public struct DockerRuntimeOptions: Sendable, Hashable {
    /// How an agent's gateway is reached from the host.
    public enum Network: String, Sendable, Hashable, CaseIterable {
        /// The tenants' bridge network (`tenantNetwork`), with inter-container traffic off so agents
        /// cannot reach each other: the gateway listens on 0.0.0.0:42617 inside the container, published
        /// on `127.0.0.1:{host_port}` only.
        case bridge
        /// The host's network namespace (development only: every agent shares the host's network and
        /// can reach the others' gateways): the gateway itself binds `127.0.0.1:{host_port}`.
        case host
    }

    /// The bridge network tenants' containers join: created with
    /// `com.docker.network.bridge.enable_icc=false` when missing; an existing one that lets containers
    /// talk to each other is refused.
    public var tenantNetwork: String

    /// The Engine API socket, `/var/run/docker.sock` by default.
    public var socketPath: String
    public var network: Network
    /// The size of each container's `/tmp` (a tmpfs that counts against its memory limit).
    public var tmpfsSize: String
    /// Time allowed for one API call that does not stream (stop adds its grace period to it).
    public var requestTimeout: Duration
    /// Read collection cycles' counters from the containers' cgroup files when the platform runs on the
    /// Docker host (falling back to the Engine API's one-shot stats where it cannot).
    public var statsFromCgroups: Bool

    public init(
        socketPath: String = "/var/run/docker.sock", network: Network = .bridge,
        tenantNetwork: String = "zcplatform-tenants", tmpfsSize: String = "64m",
        requestTimeout: Duration = .seconds(30),
        statsFromCgroups: Bool = true
    ) {
        self.tenantNetwork = tenantNetwork
        self.statsFromCgroups = statsFromCgroups
        self.socketPath = socketPath
        self.network = network
        self.tmpfsSize = tmpfsSize
        self.requestTimeout = requestTimeout
    }
}
