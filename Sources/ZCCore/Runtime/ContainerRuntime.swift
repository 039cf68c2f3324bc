/// Runs tenants' agents: Docker containers, or supervised local processes where no Docker exists.
///
/// Every method answers in terms of the container's state: "already started" or "already stopped" is
/// not an error, and a container that does not exist is `ContainerRuntimeError.notFound`.
public protocol ContainerRuntime: Sendable {
    /// The driver's name as the configuration spells it (`docker`, `process`).
    var driver: String { get }
    /// Whether agents are isolated from the host and from each other (containers are; local processes
    /// are not).
    var isolated: Bool { get }

    /// Succeeds when the runtime answers; throws `unavailable` otherwise.
    func ping() async throws
    func create(_ spec: ContainerSpec) async throws -> ContainerID
    /// Makes the agent image `reference` available on this node (pulling it if need be), checks it, and
    /// returns it pinned: what `ContainerSpec.image` names so that every agent made from it runs the same
    /// build (a digest). A reference pinned already is checked and returned as it is. `imageNotFound`
    /// with the cause when it cannot be had.
    func pinImage(_ reference: String) async throws -> String
    func start(_ id: ContainerID) async throws
    /// Asks the agent to stop, and kills it after `timeout`.
    func stop(_ id: ContainerID, timeout: Duration) async throws
    func restart(_ id: ContainerID, timeout: Duration) async throws
    func remove(_ id: ContainerID, force: Bool) async throws
    /// The container's state, or nil when it does not exist.
    func inspect(_ id: ContainerID) async throws -> ContainerInfo?
    /// Every container whose labels include all of `labels`.
    func list(labels: [String: String]) async throws -> [ContainerInfo]
    /// Hands the container's output to `line`, oldest first. With `options.follow` it goes on while the
    /// container runs, until the task is cancelled or `line` throws.
    func logs(
        _ id: ContainerID, options: LogOptions, _ line: @Sendable (LogLine) async throws -> Void
    ) async throws
    func exec(_ id: ContainerID, _ request: ExecRequest) async throws -> ExecResult
    /// One sample of the container's counters.
    func stats(_ id: ContainerID) async throws -> ContainerStats
    /// Samples of many containers for one collection cycle, at most `concurrency` read at once and each
    /// within `timeout`. Throws `unavailable` when the runtime cannot be reached at all. Runtimes that
    /// read many containers cheaper together (cgroup files, one pass over `/proc`) do so.
    func stats(of ids: [ContainerID], concurrency: Int, timeout: Duration) async throws -> ContainerStatsBatch
    /// Releases the runtime's connections when the platform stops; the process runtime stops its agents.
    func shutdown() async
}

extension ContainerRuntime {
    /// One `stats(_:)` call per container, fanned out.
    public func stats(
        of ids: [ContainerID], concurrency: Int, timeout: Duration
    ) async throws
        -> ContainerStatsBatch
    {
        try await fanOutStats(of: ids, concurrency: concurrency, timeout: timeout)
    }

    /// One `stats(_:)` call per container, at most `concurrency` at once.
    public func fanOutStats(
        of ids: [ContainerID], concurrency: Int, timeout: Duration
    ) async throws
        -> ContainerStatsBatch
    {
        let outcomes = await mapConcurrently(ids, limit: concurrency, timeout: timeout) { id in
            try await self.stats(id)
        }
        var batch = ContainerStatsBatch(source: "runtime")
        var unavailable: ContainerRuntimeError?
        for (id, outcome) in zip(ids, outcomes) {
            switch outcome {
            case .success(let stats): batch.results[id] = .sample(stats)
            case .failure(ContainerRuntimeError.notFound): batch.results[id] = .missing
            case .failure(let error as ContainerRuntimeError):
                if case .unavailable = error { unavailable = error }
                batch.results[id] = .failed(error.publicMessage)
            case .failure(let error): batch.results[id] = .failed(String(describing: error))
            }
        }
        // Every container failing because the runtime is down is an outage, not a thousand failures.
        if let unavailable, !batch.results.values.contains(where: \.isSample) { throw unavailable }
        return batch
    }
}

/// The samples of one collection cycle.
public struct ContainerStatsBatch: Sendable {
    public var results: [ContainerID: ContainerStatsResult]
    /// Where the figures came from (`cgroup-v1`, `cgroup-v2`, `engine-api`, `proc`), for logs.
    public var source: String

    public init(results: [ContainerID: ContainerStatsResult] = [:], source: String) {
        self.results = results
        self.source = source
    }
}

public enum ContainerStatsResult: Sendable, Hashable {
    case sample(ContainerStats)
    /// The container does not exist or is not running.
    case missing
    case failed(String)

    public var isSample: Bool {
        if case .sample = self { return true }
        return false
    }
}

/// A container's id or name, as the runtime accepts either.
public struct ContainerID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// The container of a tenant's agent: `zeroclaw-tenant-<id>`, the one spelling of it (runtimes
    /// answer to the name as well as to their own ids).
    public init(tenant: TenantID) {
        self.rawValue = tenant.containerName
    }

    public var description: String { rawValue }
}

/// Failures every runtime reports the same way.
public enum ContainerRuntimeError: Error, PublicError, Sendable, Equatable {
    /// The runtime itself cannot be reached (the Docker daemon is down).
    case unavailable(String)
    case notFound(ContainerID)
    /// The image does not exist locally and cannot be pulled.
    case imageNotFound(String)
    /// A name or port is already taken, or the container is in a state that refuses the request.
    case conflict(String)
    case timedOut(String)
    case failed(String)

    public var failureKind: FailureKind {
        switch self {
        case .unavailable: .unavailable
        case .notFound: .notFound
        case .imageNotFound: .invalid
        case .conflict: .conflict
        case .timedOut: .timedOut
        case .failed: .dependencyFailed
        }
    }

    public var publicMessage: String {
        switch self {
        case .unavailable(let why): "the container runtime is unavailable: \(why)"
        case .notFound(let id): "container \(id) does not exist"
        case .imageNotFound(let image): "image \(image) not found"
        case .conflict(let why): "conflict: \(why)"
        case .timedOut(let what): "timed out: \(what)"
        case .failed(let why): "container runtime error: \(why)"
        }
    }
}
