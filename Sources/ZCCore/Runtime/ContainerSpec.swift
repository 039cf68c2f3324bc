/// Everything needed to create one tenant's container, with the isolation the product requires.
public struct ContainerSpec: Sendable, Hashable {
    /// `zeroclaw-tenant-{id}`.
    public var name: String
    public var image: String
    public var entrypoint: [String]
    public var command: [String]
    /// Environment (`ZEROCLAW_…` overrides). Never secrets: a container's environment is readable by
    /// anyone who may inspect it; secrets go into the 0600 config file in the data directory. The runtime
    /// adds the gateway's bind address (`ZEROCLAW_gateway__host`, `ZEROCLAW_gateway__port`) as its
    /// networking requires, and `HOME`.
    public var environment: [String: String]
    public var labels: [String: String]
    /// The per-tenant uid (and gid) the agent runs as.
    public var uid: Int
    /// The tenant's directory on the host, bound to `/zeroclaw-data`.
    public var dataDirectory: String
    /// The port on the host where the platform reaches the agent's gateway.
    public var hostPort: Int
    /// The gateway's port inside the container (42617), where the runtime publishes `hostPort` to it.
    public var containerPort: Int
    public var memoryBytes: Int64
    public var cpuLimit: Double
    public var pidsLimit: Int64
    /// The host address `hostPort` is published on (`runtime.publish_address`): loopback unless a load
    /// balancer on another host must reach the gateway.
    public var hostAddress: String

    public init(
        name: String, image: String, entrypoint: [String], command: [String], environment: [String: String],
        labels: [String: String], uid: Int, dataDirectory: String, hostPort: Int, containerPort: Int,
        memoryBytes: Int64, cpuLimit: Double, pidsLimit: Int64, hostAddress: String = "127.0.0.1"
    ) {
        self.hostAddress = hostAddress
        self.name = name
        self.image = image
        self.entrypoint = entrypoint
        self.command = command
        self.environment = environment
        self.labels = labels
        self.uid = uid
        self.dataDirectory = dataDirectory
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.memoryBytes = memoryBytes
        self.cpuLimit = cpuLimit
        self.pidsLimit = pidsLimit
    }
}

/// What a runtime knows of one container.
public struct ContainerInfo: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case created, running, paused, restarting, exited, dead, removing
    }

    public var id: ContainerID
    public var name: String
    public var state: State
    public var startedAt: Timestamp?
    public var exitCode: Int?
    public var labels: [String: String]

    public init(
        id: ContainerID, name: String, state: State, startedAt: Timestamp?, exitCode: Int?,
        labels: [String: String]
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.startedAt = startedAt
        self.exitCode = exitCode
        self.labels = labels
    }
}

public struct LogOptions: Sendable, Hashable {
    /// The last lines to return (at most 1000 through the API).
    public var tail: Int
    public var timestamps: Bool
    public var follow: Bool

    public init(tail: Int = 100, timestamps: Bool = false, follow: Bool = false) {
        self.tail = tail
        self.timestamps = timestamps
        self.follow = follow
    }
}

public struct LogLine: Sendable, Hashable {
    public enum Stream: String, Sendable, Hashable {
        case stdout, stderr
    }

    public var stream: Stream
    public var text: String

    public init(stream: Stream, text: String) {
        self.stream = stream
        self.text = text
    }
}

/// A command run inside the container: an argv, never a shell string.
public struct ExecRequest: Sendable, Hashable {
    public var argv: [String]
    public var timeout: Duration
    /// Output beyond this many bytes is dropped and the result marked truncated.
    public var outputLimit: Int

    public init(argv: [String], timeout: Duration = .seconds(30), outputLimit: Int = 1 << 20) {
        self.argv = argv
        self.timeout = timeout
        self.outputLimit = outputLimit
    }
}

public struct ExecResult: Sendable, Hashable {
    public var output: String
    public var exitCode: Int
    public var truncated: Bool
    public var timedOut: Bool

    public init(output: String, exitCode: Int, truncated: Bool = false, timedOut: Bool = false) {
        self.output = output
        self.exitCode = exitCode
        self.truncated = truncated
        self.timedOut = timedOut
    }
}

/// Raw counters of one container at one moment; CPU percent comes from the delta of two samples.
public struct ContainerStats: Sendable, Hashable {
    /// Total CPU time the container used, in nanoseconds.
    public var cpuNanoseconds: UInt64
    public var memBytes: Int64
    public var memLimit: Int64
    public var netIn: Int64
    public var netOut: Int64
    public var pids: Int64
    /// When the sample was read, on a monotonic clock in nanoseconds.
    public var sampledAtNanoseconds: UInt64

    public init(
        cpuNanoseconds: UInt64, memBytes: Int64, memLimit: Int64, netIn: Int64, netOut: Int64, pids: Int64,
        sampledAtNanoseconds: UInt64
    ) {
        self.cpuNanoseconds = cpuNanoseconds
        self.memBytes = memBytes
        self.memLimit = memLimit
        self.netIn = netIn
        self.netOut = netOut
        self.pids = pids
        self.sampledAtNanoseconds = sampledAtNanoseconds
    }

    /// CPU use between `earlier` and this sample, in percent of one core.
    public func cpuPercent(since earlier: ContainerStats) -> Double {
        guard sampledAtNanoseconds > earlier.sampledAtNanoseconds, cpuNanoseconds >= earlier.cpuNanoseconds
        else { return 0 }
        let used = Double(cpuNanoseconds - earlier.cpuNanoseconds)
        let elapsed = Double(sampledAtNanoseconds - earlier.sampledAtNanoseconds)
        return used / elapsed * 100
    }
}
