import CProcess
import Dispatch
import Foundation
import Glibc
import Synchronization
import ZCCore

/// A program the tests start, with `posix_spawn`: Foundation's `Process.run` overflows a buffer (a
/// crash in memcpy) once the test process holds more than 1,024 descriptors, which the suites running in
/// parallel reach. Its stdout and stderr are pipes; its stdin is a pipe (`stdin: true`) or /dev/null;
/// it holds no other descriptor of the test process.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// Read ends of its output (`stderr` is -1 when it goes to a file).
    public let stdout: Int32
    public let stderr: Int32
    /// The write end of its stdin, when asked for; closing it is its end of input.
    private let input: Mutex<Int32?>
    private let exit = Mutex<Int32?>(nil)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameter stderrFile: appends its stderr to this file instead of a pipe.
    public init(
        _ argv: [String], environment: [String: String], directory: String? = nil, stdin: Bool = false,
        stderrFile: String? = nil
    ) throws {
        guard let program = argv.first else { throw Failure(description: "no program") }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        var inp: [Int32] = [-1, -1]
        guard zc_pipe_cloexec(&out) == 0, stderrFile != nil || zc_pipe_cloexec(&err) == 0,
            !stdin || zc_pipe_cloexec(&inp) == 0
        else {
            for fd in out + err + inp where fd >= 0 { close(fd) }
            throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin {
            posix_spawn_file_actions_adddup2(&actions, inp[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        if let stderrFile {
            posix_spawn_file_actions_addopen(&actions, 2, stderrFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        }
        if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in arguments + variables { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, program, &actions, &attributes, arguments, variables)
        close(out[1])
        if err[1] >= 0 { close(err[1]) }
        if stdin { close(inp[0]) }
        guard status == 0 else {
            close(out[0])
            if err[0] >= 0 { close(err[0]) }
            if stdin { close(inp[1]) }
            throw Failure(description: "cannot start \(program): \(String(cString: strerror(status)))")
        }
        pid = child
        stdout = out[0]
        stderr = err[0]
        input = Mutex(stdin ? inp[1] : nil)
    }

    deinit {
        close(stdout)
        if stderr >= 0 { close(stderr) }
        closeInput()
    }

    /// Ends its input.
    public func closeInput() {
        input.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
    }

    /// Whether it has not exited yet (reaping it if it has).
    public var isRunning: Bool { exit.withLock { $0 } == nil && poll(WNOHANG) == nil }

    public func signal(_ number: Int32) {
        if exit.withLock({ $0 }) == nil { Glibc.kill(pid, number) }
    }

    /// Waits for it to exit; its exit code, or 128 + the signal that ended it. Blocking: call it off the
    /// cooperative pool (`Blocking.run`).
    @discardableResult
    @available(*, noasync, message: "blocks a cooperative thread: use Blocking.run { child.wait() }")
    public func wait() -> Int32 {
        while true {
            if let code = exit.withLock({ $0 }) ?? poll(0) { return code }
        }
    }

    /// Kills it and reaps it: no wait worth the name, so callable anywhere (a `defer` in async code).
    public func kill() {
        signal(SIGKILL)
        while exit.withLock({ $0 }) == nil && poll(0) == nil {}
    }

    private func poll(_ options: Int32) -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, options)
        if result == pid {
            let code = zc_wifexited(status) != 0 ? zc_wexitstatus(status) : 128 + zc_wtermsig(status)
            exit.withLock { $0 = code }
            return code
        }
        if result < 0 && errno == EINTR { return nil }
        if result < 0 { return exit.withLock { $0 } ?? -1 }
        return nil
    }
}

extension ChildProcess {
    /// What a program printed and how it ended.
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: Data

        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs a program to its end and collects its output, off the cooperative pool: a test that waits
    /// for a program on the pool's few threads stalls every other test (timeouts elsewhere fire).
    public static func output(
        _ argv: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil
    ) async throws -> Output {
        try await Blocking.run { try run(argv, environment: environment, directory: directory) }
    }

    /// Runs a program to its end and collects its output. Blocking: from async code, use `output`.
    @available(*, noasync, message: "blocks a cooperative thread: use ChildProcess.output")
    public static func run(
        _ argv: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil
    ) throws -> Output {
        let child = try ChildProcess(argv, environment: environment, directory: directory)
        let group = DispatchGroup()
        let outputs = [OutputBuffer(), OutputBuffer()]
        for (fd, buffer) in zip([child.stdout, child.stderr], outputs) where fd >= 0 {
            group.enter()
            DedicatedThread.start("test-pipe") {
                PipeReading.readChunks(fd) { chunk in buffer.data.withLock { $0.append(chunk) } }
                group.leave()
            }
        }
        group.wait()
        let status = child.wait()
        return Output(
            status: status, stdout: outputs[0].data.withLock { $0 }, stderr: outputs[1].data.withLock { $0 })
    }
}

/// Bytes a reader thread appends to while the test waits.
final class OutputBuffer: Sendable {
    let data = Mutex(Data())
}
