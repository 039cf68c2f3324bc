import Foundation
import Synchronization
import ZCCore
import ZCHTTP

extension DockerRuntime {
    /// Runs an argv in the container (no shell), collects its output up to the request's limit, and
    /// kills it when it runs past its timeout.
    public func exec(_ id: ContainerID, _ request: ExecRequest) async throws -> ExecResult {
        guard !request.argv.isEmpty else { throw ContainerRuntimeError.failed("exec needs a command") }
        let created = try await engine.request(
            .post, "/containers/\(id)/exec",
            body: ["AttachStdout": true, "AttachStderr": true, "Cmd": .array(request.argv.map { .string($0) })])
        switch created.status.code {
        case 201: break
        case 404: throw ContainerRuntimeError.notFound(id)
        case 409: throw ContainerRuntimeError.conflict("container \(id) is not running")
        default: throw DockerEngine.error(created, container: id)
        }
        guard case .object(let fields)? = JSONValue(jsonText: created.text), case .string(let execID)? = fields["Id"]
        else { throw ContainerRuntimeError.failed("the Docker daemon created an exec without an id") }

        let output = ExecOutputBuffer(limit: request.outputLimit)
        let engine = self.engine
        let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                let stream = try await engine.stream(
                    .post, "/exec/\(execID)/start", body: ["Detach": false, "Tty": false],
                    timeout: request.timeout + .seconds(5))
                guard stream.status == .ok else {
                    throw ContainerRuntimeError.failed(
                        "the Docker daemon refused to start the exec (\(stream.status.code))")
                }
                var frames = DockerFrameDecoder()
                try await engine.transport {
                    for try await piece in stream.body {
                        for (_, payload) in try DockerRuntime.decode(&frames, piece) { output.append(payload) }
                    }
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: request.timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            let killed = await kill(execID: execID)
            logger.warning(
                "exec.timed_out",
                [
                    "container": id.rawValue, "program": request.argv[0], "killed": killed,
                    "timeout": "\(request.timeout)",
                ])
        }
        let exitCode = try await exitCode(of: execID) ?? (finished ? -1 : 137)
        let (text, truncated) = output.result
        return ExecResult(output: text, exitCode: exitCode, truncated: truncated, timedOut: !finished)
    }

    /// The exec's exit code once it has ended (Docker records it a moment after the stream closes).
    private func exitCode(of execID: String) async throws -> Int? {
        for _ in 0..<20 {
            let response = try await engine.request(.get, "/exec/\(execID)/json")
            guard response.status == .ok, let inspect = try? response.decode(DockerExecInspect.self) else { return nil }
            if !inspect.Running { return inspect.ExitCode }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// The Engine API cannot signal an exec; its process has a pid on this host (the daemon is reached on a
    /// local socket), which is killed directly.
    private func kill(execID: String) async -> Bool {
        guard let response = try? await engine.request(.get, "/exec/\(execID)/json"),
            let inspect = try? response.decode(DockerExecInspect.self), inspect.Running, let pid = inspect.Pid, pid > 1
        else { return false }
        return Glibc.kill(pid_t(pid), SIGKILL) == 0
    }
}
