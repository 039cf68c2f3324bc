import CProcess
import Foundation
import Synchronization
import ZCCore

/// One supervised agent: spawned in its own process group, its output piped into its log, its exit
/// watched through a pidfd, restarted with backoff unless it was stopped (Docker's `unless-stopped`).
/// Everything runs on the agent's serial dispatch queue; no task outlives a call.
final class AgentProcess: Sendable {
    let spec: ContainerSpec
    let command: [String]
    let environment: [String: String]
    let log: AgentLog
    let pidFile: String
    let logger: Logger
    private let queue: DispatchQueue

    private struct State {
        var status: ContainerInfo.State = .created
        var pid: pid_t = 0
        var startedAt: Timestamp?
        var startedMonotonic: ContinuousClock.Instant?
        var exitCode: Int?
        /// Whether the operator wants it running (cleared by stop).
        var wanted = false
        var restarts = 0
        var sources = Sources(all: [])
        var generation = 0
    }

    private let state = Mutex(State())

    /// The dispatch sources of the running process, kept alive with it. Each is touched only on the
    /// agent's queue once resumed.
    private struct Sources: @unchecked Sendable {
        let all: [any DispatchSourceProtocol]
    }

    init(
        spec: ContainerSpec, command: [String], environment: [String: String], log: AgentLog, pidFile: String,
        logger: Logger
    ) {
        self.spec = spec
        self.command = command
        self.environment = environment
        self.log = log
        self.pidFile = pidFile
        self.logger = logger
        queue = DispatchQueue(label: "zcplatform.agent.\(spec.name)")
    }

    var info: ContainerInfo {
        state.withLock { state in
            ContainerInfo(
                id: ContainerID(spec.name), name: spec.name, state: state.status,
                startedAt: state.status == .running ? state.startedAt : nil,
                exitCode: state.status == .running ? nil : state.exitCode, labels: spec.labels)
        }
    }

    var processGroup: pid_t? {
        state.withLock { $0.status == .running && $0.pid > 0 ? $0.pid : nil }
    }

    /// Starts the agent; a running agent is left alone.
    func start() throws(ContainerRuntimeError) {
        let running = state.withLock { state -> Bool in
            state.wanted = true
            state.restarts = 0
            return state.status == .running
        }
        if running { return }
        try spawn()
    }

    private func spawn() throws(ContainerRuntimeError) {
        let spawned: ProcessSpawner.Spawned
        do {
            spawned = try ProcessSpawner.spawn(command, environment: environment, directory: spec.dataDirectory)
        } catch {
            throw error.runtimeError
        }
        let pidfd = zc_pidfd_open(spawned.pid)
        var sources: [any DispatchSourceProtocol] = []
        for (fd, stream) in [(spawned.stdout, LogLine.Stream.stdout), (spawned.stderr ?? -1, .stderr)] where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [log] in
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        log.append(buffer[0..<count], from: stream)
                    } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                        source.cancel()
                        return
                    } else if errno == EAGAIN {
                        return
                    }
                }
            }
            source.setCancelHandler { close(fd) }
            sources.append(source)
        }
        let generation = state.withLock { state -> Int in
            state.status = .running
            state.pid = spawned.pid
            state.startedAt = .now()
            state.startedMonotonic = ContinuousClock.now
            state.exitCode = nil
            state.generation += 1
            return state.generation
        }
        if pidfd >= 0 {
            let exit = DispatchSource.makeReadSource(fileDescriptor: pidfd, queue: queue)
            exit.setEventHandler { [weak self] in
                exit.cancel()
                self?.reap(spawned.pid, generation: generation)
            }
            exit.setCancelHandler { close(pidfd) }
            sources.append(exit)
        }
        let held = Sources(all: sources)
        state.withLock { $0.sources = held }
        for source in sources { source.resume() }
        writePidFile(spawned.pid)
        logger.info("agent.started", ["agent": spec.name, "pid": Int(spawned.pid)])
        if pidfd < 0 {
            logger.warning("agent.no_pidfd", ["agent": spec.name, "detail": "pidfd_open failed; exits are polled"])
            pollExit(spawned.pid, generation: generation)
        }
    }

    /// Without pidfd (kernels before 5.3), the exit is noticed by polling `waitpid`.
    private func pollExit(_ pid: pid_t, generation: Int) {
        queue.asyncAfter(deadline: .now() + 0.2) { [weak self] in
            guard let self else { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                self.recordExit(pid, status: status, generation: generation)
            } else {
                self.pollExit(pid, generation: generation)
            }
        }
    }

    private func reap(_ pid: pid_t, generation: Int) {
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &status, 0) } while result < 0 && errno == EINTR
        recordExit(pid, status: status, generation: generation)
    }

    private func recordExit(_ pid: pid_t, status: Int32, generation: Int) {
        let code = ProcessSpawner.exitCode(status)
        // Whatever the agent's children still hold open ends with the group.
        kill(-pid, SIGKILL)
        let (wanted, delay) = state.withLock { state -> (Bool, Double) in
            guard state.generation == generation else { return (false, 0) }
            state.status = .exited
            state.exitCode = code
            state.pid = 0
            let ranLong = state.startedMonotonic.map { ContinuousClock.now - $0 > .seconds(60) } ?? false
            if ranLong { state.restarts = 0 }
            state.restarts += 1
            return (state.wanted, min(30, pow(2, Double(state.restarts - 1))))
        }
        unlink(pidFile)
        log.finish()
        logger.notice("agent.exited", ["agent": spec.name, "exit_code": code, "restart": wanted])
        guard wanted else { return }
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            let stillWanted = self.state.withLock { $0.wanted && $0.status == .exited && $0.generation == generation }
            guard stillWanted else { return }
            do {
                try self.spawn()
            } catch {
                self.logger.error("agent.restart_failed", ["agent": self.spec.name, "error": "\(error)"])
            }
        }
    }

    /// SIGTERM to the agent's process group, SIGKILL after `timeout`; returns once it has exited.
    func stop(timeout: Duration) async {
        let pid = state.withLock { state -> pid_t in
            state.wanted = false
            return state.status == .running ? state.pid : 0
        }
        guard pid > 0 else { return }
        kill(-pid, SIGTERM)
        if await waitForExit(within: timeout) { return }
        logger.warning("agent.killed", ["agent": spec.name, "after": "\(timeout)"])
        kill(-pid, SIGKILL)
        _ = await waitForExit(within: .seconds(10))
    }

    private func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.status != .running }) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return state.withLock { $0.status != .running }
    }

    /// `{pid} {start time in clock ticks}`: enough to recognise the same process after a crash of the
    /// platform (a reused pid has another start time).
    private func writePidFile(_ pid: pid_t) {
        guard let start = ProcStats.startTime(of: pid) else { return }
        try? "\(pid) \(start)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
    }
}
