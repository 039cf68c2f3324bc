import Foundation
import Synchronization
import ZCCore

/// Tenants' agents as supervised local processes: the embedded default where no Docker exists, so the
/// platform runs on a fresh machine. Each agent has its working directory (the tenant directory, also its
/// `HOME`), its environment (built from scratch: nothing of the platform's leaks in), its port, and
/// size-capped log files. It offers **no isolation**: agents run as the platform's user.
///
/// Agents live as long as the platform: `shutdown()` stops them, and the lifecycle's reconciliation
/// starts running tenants again on the next start. Agents left by a platform that crashed are found by
/// their pid files and stopped.
public final class ProcessRuntime: ContainerRuntime {
    public let driver = "process"
    public let isolated = false
    public let options: ProcessRuntimeOptions
    let logger: Logger
    private let agents = Mutex<[String: AgentProcess]>([:])
    private let execSlots: ExecSlots

    public init(options: ProcessRuntimeOptions, logger: Logger) throws {
        guard !options.agentCommand.isEmpty else {
            throw ContainerRuntimeError.failed("runtime.agent_command is empty")
        }
        self.options = options
        self.logger = logger
        execSlots = ExecSlots(perAgent: options.maxExecsPerAgent, total: options.maxExecs)
        stopLeftovers()
    }

    public func ping() async throws {}

    public func create(_ spec: ContainerSpec) async throws -> ContainerID {
        try AgentEnvironment.check(spec.environment)
        let command = command(for: spec)
        let program = command[0]
        if let pinned = AgentCommandImage(spec.image)?.digest, program.contains("/"),
            let digest = try? Self.sha256(ofFile: program), digest != pinned
        {
            throw ContainerRuntimeError.imageNotFound("\(spec.image) (\(program) has changed since it was pinned)")
        }
        if program.contains("/") {
            guard access(program, X_OK) == 0 else {
                throw ContainerRuntimeError.failed("the agent command \(program) is not an executable file")
            }
        }
        let directory = "\(options.runDirectory)/\(spec.name)"
        if access(options.runDirectory, F_OK) != 0 {
            try FileManager.default.createDirectory(atPath: options.runDirectory, withIntermediateDirectories: true)
            chmod(options.runDirectory, 0o700)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let agent = AgentProcess(
            spec: spec, command: command + spec.command, environment: environment(for: spec),
            log: AgentLog(directory: directory, maxBytes: options.maxLogBytes, maxFiles: options.maxLogFiles),
            pidFile: "\(directory)/pid", logger: logger)
        let added = agents.withLock { agents -> Bool in
            guard agents[spec.name] == nil else { return false }
            agents[spec.name] = agent
            return true
        }
        guard added else { throw ContainerRuntimeError.conflict("an agent named \(spec.name) already exists") }
        return ContainerID(spec.name)
    }

    /// Only what the agent needs: `PATH`, a locale, `HOME` (the tenant directory), the spec's variables and
    /// the gateway's bind address. The platform's own variables (a store URL with its password) stay out.
    func environment(for spec: ContainerSpec) -> [String: String] {
        var environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
        ]
        for (key, value) in spec.environment { environment[key] = value }
        environment["HOME"] = spec.dataDirectory
        environment.merge(AgentEnvironment.gateway(host: spec.hostAddress, port: spec.hostPort)) { _, platform in
            platform
        }
        return environment
    }

    private func agent(_ id: ContainerID) throws -> AgentProcess {
        guard let agent = agents.withLock({ $0[id.rawValue] }) else { throw ContainerRuntimeError.notFound(id) }
        return agent
    }

    public func start(_ id: ContainerID) async throws {
        try agent(id).start()
    }

    public func stop(_ id: ContainerID, timeout: Duration) async throws {
        try await agent(id).stop(timeout: timeout)
    }

    public func restart(_ id: ContainerID, timeout: Duration) async throws {
        let agent = try agent(id)
        await agent.stop(timeout: timeout)
        try agent.start()
    }

    public func remove(_ id: ContainerID, force: Bool) async throws {
        let agent = try agent(id)
        if agent.info.state == .running {
            guard force else { throw ContainerRuntimeError.conflict("agent \(id) is running; stop it first") }
            await agent.stop(timeout: .zero)
        }
        agent.log.close()
        agents.withLock { _ = $0.removeValue(forKey: id.rawValue) }
        try? FileManager.default.removeItem(atPath: "\(options.runDirectory)/\(id.rawValue)")
    }

    public func inspect(_ id: ContainerID) async throws -> ContainerInfo? {
        agents.withLock { $0[id.rawValue] }?.info
    }

    public func list(labels: [String: String]) async throws -> [ContainerInfo] {
        let all = agents.withLock { Array($0.values) }
        return all.map(\.info).filter { info in labels.allSatisfy { info.labels[$0.key] == $0.value } }
            .sorted { $0.name < $1.name }
    }

    public func logs(
        _ id: ContainerID, options: LogOptions, _ line: @Sendable (LogLine) async throws -> Void
    ) async throws {
        let agent = try agent(id)
        guard options.follow, agent.info.state == .running else {
            for entry in agent.log.tail(options.tail, timestamps: options.timestamps) { try await line(entry) }
            return
        }
        let (earlier, later) = agent.log.follow(tail: options.tail, timestamps: options.timestamps)
        for entry in earlier { try await line(entry) }
        for await entry in later {
            try Task.checkCancellation()
            try await line(entry)
        }
    }

    /// Runs `request.argv` in the agent's directory and environment; `zeroclaw` names the agent's program.
    public func exec(_ id: ContainerID, _ request: ExecRequest) async throws -> ExecResult {
        let agent = try agent(id)
        guard agent.info.state == .running else { throw ContainerRuntimeError.conflict("agent \(id) is not running") }
        var argv = request.argv
        if argv.first == "zeroclaw" { argv[0] = agent.command.first ?? options.agentCommand[0] }
        try execSlots.take(id.rawValue)
        defer { execSlots.give(id.rawValue) }
        return try await ProcessExec.run(
            argv, environment: agent.environment, directory: agent.spec.dataDirectory, request: request)
    }

    public func stats(_ id: ContainerID) async throws -> ContainerStats {
        let agent = try agent(id)
        guard let group = agent.processGroup else {
            return ContainerStats(
                cpuNanoseconds: 0, memBytes: 0, memLimit: agent.spec.memoryBytes, netIn: 0, netOut: 0, pids: 0,
                sampledAtNanoseconds: DispatchTime.now().uptimeNanoseconds)
        }
        return ProcStats.sample(group: group, memoryLimit: agent.spec.memoryBytes)
    }

    /// Every agent's sample from one pass over `/proc` (instead of one pass per agent).
    public func stats(
        of ids: [ContainerID], concurrency: Int, timeout: Duration
    ) async throws
        -> ContainerStatsBatch
    {
        let known = agents.withLock { $0 }
        var groups: [ContainerID: pid_t] = [:]
        var limits: [pid_t: Int64] = [:]
        var batch = ContainerStatsBatch(source: "proc")
        for id in ids {
            guard let agent = known[id.rawValue] else {
                batch.results[id] = .missing
                continue
            }
            guard let group = agent.processGroup else {
                batch.results[id] = .missing
                continue
            }
            groups[id] = group
            limits[group] = agent.spec.memoryBytes
        }
        let samples = ProcStats.samples(groups: limits)
        for (id, group) in groups { batch.results[id] = samples[group].map { .sample($0) } ?? .missing }
        return batch
    }

    /// Stops every agent (SIGTERM, then SIGKILL after the shutdown timeout), all at once.
    public func shutdown() async {
        let all = agents.withLock { Array($0.values) }
        await withTaskGroup(of: Void.self) { group in
            for agent in all {
                group.addTask { await agent.stop(timeout: self.options.shutdownTimeout) }
            }
        }
        for agent in all { agent.log.close() }
    }

    /// Agents of a platform that died without stopping them: their pid files name them; a pid whose
    /// start time still matches is the same process, and its group is killed.
    private func stopLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: options.runDirectory)) ?? []
        for name in names {
            let file = "\(options.runDirectory)/\(name)/pid"
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            let parts = text.split(whereSeparator: \.isWhitespace)
            unlink(file)
            guard parts.count == 2, let pid = pid_t(parts[0]), let start = UInt64(parts[1]), pid > 1,
                ProcStats.startTime(of: pid) == start
            else { continue }
            logger.warning("agent.leftover_stopped", ["agent": name, "pid": Int(pid)])
            kill(-pid, SIGKILL)
        }
    }
}
