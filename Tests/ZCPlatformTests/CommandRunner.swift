import Foundation
import Synchronization
import TestSupport
import Testing
import ZCCore

/// Runs the built `zcplatform` binary as an operator would: its own working directory, a clean
/// environment, real exit status and streams.
struct CommandRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String

        var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// `zcplatform`, built beside the test bundle.
    static var binary: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return ((executable as NSString).deletingLastPathComponent as NSString).appendingPathComponent("zcplatform")
    }

    /// The parent's environment without any `ZCPLATFORM_` variable, plus `extra`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ZCPLATFORM_") }
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    let directory: String

    /// Runs the command to its end, waiting on a thread of its own: waiting for a process must not hold
    /// one of the few threads every async test shares.
    func run(
        _ arguments: [String], environment extra: [String: String] = [:], asNobody: Bool = false
    ) async throws -> Result {
        let process = try start(arguments, environment: extra, asNobody: asNobody)
        return await process.finished()
    }

    func run(
        detached arguments: [String], environment extra: [String: String] = [:]
    ) async throws -> Result {
        try await run(arguments, environment: extra)
    }

    /// - Parameter openFiles: runs it under this `RLIMIT_NOFILE` (through util-linux's `prlimit`).
    func start(
        _ arguments: [String], environment extra: [String: String] = [:], asNobody: Bool = false,
        openFiles: Int? = nil
    ) throws
        -> RunningCommand
    {
        let argv: [String]
        if asNobody {
            argv = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Self.binary] + arguments
        } else if let openFiles {
            argv = ["/usr/bin/prlimit", "--nofile=\(openFiles):\(openFiles)", "--", Self.binary] + arguments
        } else {
            argv = [Self.binary] + arguments
        }
        return try RunningCommand(argv, environment: Self.environment(extra), directory: directory)
    }
}

/// A started command whose output is collected as it runs. Started with `posix_spawn` (`ChildProcess`),
/// never Foundation's `Process`, which crashes once the test process holds over 1,024 descriptors.
final class RunningCommand: Sendable {
    let child: ChildProcess
    var pid: pid_t { child.pid }
    private let collected = DispatchGroup()
    /// Held apart from the command, so the readers keep only them alive and the command's `deinit` runs
    /// as soon as its test lets go of it.
    private final class Buffer: Sendable {
        let data = Mutex(Data())
    }
    private let stdoutData = Buffer()
    private let stderrData = Buffer()

    init(_ argv: [String], environment: [String: String], directory: String? = nil) throws {
        child = try ChildProcess(argv, environment: environment, directory: directory)
        // Drain both pipes as the command runs, so a chatty command never blocks on a full pipe, and a
        // test can watch the log of a command still running.
        let (child, collected) = (child, collected)
        for (fd, buffer) in [(child.stdout, stdoutData), (child.stderr, stderrData)] where fd >= 0 {
            collected.enter()
            DedicatedThread.start("test-pipe") {
                withExtendedLifetime(child) {
                    PipeReading.readChunks(fd) { chunk in buffer.data.withLock { $0.append(chunk) } }
                }
                collected.leave()
            }
        }
    }

    /// A command still running when its test lets go of it (a failed expectation ended the test early)
    /// is asked to stop: a server left behind would hold its agents and ports for the rest of the run.
    deinit {
        if child.isRunning { child.signal(SIGTERM) }
    }

    /// What the command has written to stdout so far.
    var stdoutSoFar: String { String(decoding: stdoutData.data.withLock { $0 }, as: UTF8.self) }

    /// What the command has written to stderr so far.
    var stderrSoFar: String { String(decoding: stderrData.data.withLock { $0 }, as: UTF8.self) }

    func signal(_ number: Int32) {
        child.signal(number)
    }

    /// Waits for the command to exit (killing it after `timeout`) and returns what it printed; a command
    /// ended by a signal has the status 128 + the signal, as a shell shows it.
    func finish(timeout: TimeInterval = 60) -> CommandRunner.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while child.isRunning, Date() < deadline { usleep(10_000) }
        if child.isRunning { child.signal(SIGKILL) }
        let status = child.wait()
        collected.wait()
        return CommandRunner.Result(
            status: status, stdout: String(decoding: stdoutData.data.withLock { $0 }, as: UTF8.self),
            stderr: String(decoding: stderrData.data.withLock { $0 }, as: UTF8.self))
    }
}

extension RunningCommand {
    /// `finish` without holding a cooperative thread.
    func finished(timeout: TimeInterval = 60) async -> CommandRunner.Result {
        (try? await Blocking.run { self.finish(timeout: timeout) })
            ?? CommandRunner.Result(status: -1, stdout: "", stderr: "")
    }

    /// Waits (without blocking) until the server logs the port it listens on.
    func listeningPort(timeout: Duration = .seconds(30)) async throws -> Int? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = stderrSoFar.split(separator: "\n").first(where: { $0.contains("event=http.listening") })
                .flatMap({ $0.split(separator: ":").last }).flatMap({ Int($0) })
            {
                return port
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// The stock `sqlite3` shell; CI installs it. On a laptop without it the tests that need it say so.
enum SQLiteShell {
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")
    }

    /// Runs `sql` on `database`, waited for off the cooperative pool.
    static func run(_ database: String, _ sql: String) async throws -> CommandRunner.Result {
        let output = try await ChildProcess.output(["/usr/bin/sqlite3", database, sql])
        return CommandRunner.Result(status: output.status, stdout: output.stdoutText, stderr: output.stderrText)
    }

    /// Fails in CI, skips elsewhere, when the shell is missing.
    static func required() -> Bool {
        if available { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("sqlite3 is not installed; .ci/run installs it")
        } else {
            print("skipping: the sqlite3 shell is not installed (apt-get install sqlite3)")
        }
        return false
    }
}
