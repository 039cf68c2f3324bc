import Foundation
import ZCCore

/// A command run beside an agent: its argv (no shell), the agent's directory and environment, stdout
/// and stderr together up to a limit, killed with its process group at the timeout.
enum ProcessExec {
    static func run(
        _ argv: [String], environment: [String: String], directory: String, request: ExecRequest
    ) async throws -> ExecResult {
        let spawned: ProcessSpawner.Spawned
        do {
            spawned = try ProcessSpawner.spawn(argv, environment: environment, directory: directory, mergeStderr: true)
        } catch {
            // As a shell (and Docker's exec) reports it: 127 for a program not found, 126 for one that cannot run.
            guard [ENOENT, EACCES, ENOEXEC, ENOTDIR, ENAMETOOLONG, ELOOP, EISDIR, ETXTBSY, E2BIG].contains(error.code)
            else { throw error.runtimeError }
            return ExecResult(
                output: "cannot run \(error.program): \(String(cString: strerror(error.code)))\n",
                exitCode: error.code == ENOENT ? 127 : 126)
        }
        return await DedicatedThread.run("zcplatform-exec") { collect(spawned, request: request) }
    }

    /// Blocking: runs on a thread of its own, never on the cooperative pool or a dispatch global queue.
    private static func collect(_ spawned: ProcessSpawner.Spawned, request: ExecRequest) -> ExecResult {
        let output = ExecOutputBuffer(limit: request.outputLimit)
        let deadline = ContinuousClock.now + request.timeout
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let fd = spawned.stdout
        defer { close(fd) }
        reading: while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                timedOut = true
                break
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min(remaining.components.seconds * 1000 + 1, 60_000))
            switch poll(&descriptor, 1, milliseconds) {
            case 0: continue reading
            case let ready where ready < 0:
                if errno == EINTR { continue reading }
                break reading
            default:
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    output.append(Array(buffer[0..<count]))
                } else if count == 0 || errno != EINTR {
                    break reading
                }
            }
        }
        var status: Int32 = 0
        // Output closed: the command has ended or is about to; give it until the deadline to exit.
        while !timedOut, waitpid(spawned.pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now >= deadline {
                timedOut = true
                break
            }
            usleep(10_000)
        }
        if timedOut {
            kill(-spawned.pid, SIGKILL)
            var result: pid_t
            repeat { result = waitpid(spawned.pid, &status, 0) } while result < 0 && errno == EINTR
        }
        let (text, truncated) = output.result
        return ExecResult(
            output: text, exitCode: ProcessSpawner.exitCode(status), truncated: truncated, timedOut: timedOut)
    }
}
