import Foundation
import ProcessRuntime
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@Suite("Process runtime: supervised local agents", .serialized)
struct ProcessRuntimeTests {
    struct Fixture {
        let runtime: ProcessRuntime
        let directory: TemporaryDirectory
        let spec: ContainerSpec

        init(
            command: [String] = [AgentSimulator.executable], maxLogBytes: Int = 50 << 20,
            environment: [String: String] = [:]
        )
            throws
        {
            directory = try TemporaryDirectory("zc-process")
            runtime = try ProcessRuntime(
                options: ProcessRuntimeOptions(
                    agentCommand: command, runDirectory: directory.file("run"), maxLogBytes: maxLogBytes,
                    shutdownTimeout: .seconds(5)),
                logger: .disabled)
            let data = directory.file("tenant")
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            spec = ContainerSpec(
                name: "zeroclaw-tenant-proc", image: "unused", entrypoint: [], command: [],
                environment: ["ZEROCLAW_observability__backend": "prometheus"].merging(environment) { $1 },
                labels: ["zcplatform.tenant": "proc"], uid: 1000, dataDirectory: data, hostPort: FreePort.next(),
                containerPort: 42617, memoryBytes: 64 << 20, cpuLimit: 1, pidsLimit: 64)
        }

        var id: ContainerID { ContainerID(spec.name) }

        /// Runs `body`, then cleans up (also when it throws), awaited: nothing outlives the test.
        func scoped(_ body: () async throws -> Void) async throws {
            do {
                try await body()
            } catch {
                await cleanup()
                throw error
            }
            await cleanup()
        }

        func cleanup() async {
            await runtime.shutdown()
            directory.remove()
        }

        func get(_ path: String) async throws -> HTTPClientResponse {
            let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1)))
            defer { Task { await client.shutdown() } }
            return try await client.execute(
                .get, .tcp(host: "127.0.0.1", port: spec.hostPort), path, timeout: .seconds(2))
        }

        func post(_ path: String, _ body: String) async throws -> HTTPClientResponse {
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            return try await client.execute(
                .post, .tcp(host: "127.0.0.1", port: spec.hostPort), path, body: Array(body.utf8))
        }

        /// Probes until the agent answers (each probe times out after 2 s); a failure says what the probes
        /// met.
        func waitHealthy(timeout: Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + timeout
            var attempts: [String] = []
            while ContinuousClock.now < deadline {
                do {
                    let answer = try await get("/health")
                    if answer.status == .ok { return }
                    attempts.append("status \(answer.status.code)")
                } catch {
                    attempts.append("\(error)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let log = (try? await lines(tail: 20))?.joined(separator: " | ") ?? "no log"
            throw ContainerRuntimeError.timedOut(
                "no /health on port \(spec.hostPort) after \(attempts.count) probes (last: \(attempts.suffix(3))); agent log: \(log)"
            )
        }

        func lines(tail: Int = 100) async throws -> [String] {
            let collected = Collected()
            try await runtime.logs(id, options: LogOptions(tail: tail)) { collected.append($0.text) }
            return collected.all
        }
    }

    @Test("create, start, health, logs, exec, stats, stop, start, restart, remove")
    func lifecycle() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let runtime = fixture.runtime
            let id = try await runtime.create(fixture.spec)
            #expect(try await runtime.inspect(id)?.state == .created)
            await #expect(throws: ContainerRuntimeError.self) { _ = try await runtime.create(fixture.spec) }
            try await runtime.start(id)
            try await runtime.start(id)  // already running: not an error
            try await fixture.waitHealthy()
            let info = try #require(try await runtime.inspect(id))
            #expect(info.state == .running)
            #expect(info.startedAt != nil)
            #expect(try await fixture.get("/metrics").text.contains("zeroclaw_tokens_input_total"))
            #expect(
                try await fixture.lines().contains { $0.contains("listening on 127.0.0.1:\(fixture.spec.hostPort)") })
            // The agent's HOME is the tenant directory: it wrote its state there.
            #expect(FileManager.default.fileExists(atPath: "\(fixture.spec.dataDirectory)/.zeroclaw/state/last-start"))

            let status = try await runtime.exec(id, ExecRequest(argv: ["zeroclaw", "status"]))
            #expect(status.exitCode == 0)
            #expect(status.output.contains("zeroclaw status: running"))
            #expect(try await runtime.exec(id, ExecRequest(argv: ["zeroclaw", "exit", "7"])).exitCode == 7)
            // A program that does not exist is what a shell or Docker's exec reports: exit code 127.
            let missing = try await runtime.exec(id, ExecRequest(argv: ["/nonexistent/program"]))
            #expect(missing.exitCode == 127)
            #expect(missing.output == "cannot run /nonexistent/program: No such file or directory\n")
            let capped = try await runtime.exec(id, ExecRequest(argv: ["zeroclaw", "status"], outputLimit: 10))
            #expect(capped.truncated)
            #expect(capped.output.utf8.count == 10)

            let stats = try await runtime.stats(id)
            #expect(stats.memBytes > 0)
            #expect(stats.pids >= 1)
            #expect(stats.memLimit == 64 << 20)

            #expect(try await runtime.list(labels: ["zcplatform.tenant": "proc"]).map(\.name) == [fixture.spec.name])
            #expect(try await runtime.list(labels: ["zcplatform.tenant": "other"]).isEmpty)

            try await runtime.stop(id, timeout: .seconds(5))
            let stopped = try #require(try await runtime.inspect(id))
            #expect(stopped.state == .exited)
            #expect(stopped.exitCode == 0)  // the simulator ends cleanly on SIGTERM
            #expect(try await fixture.lines().contains("zcagent-sim: shutting down"))
            try await runtime.stop(id, timeout: .seconds(5))  // already stopped: not an error
            try await runtime.start(id)
            try await fixture.waitHealthy()
            try await runtime.restart(id, timeout: .seconds(5))
            try await fixture.waitHealthy()
            await #expect(throws: ContainerRuntimeError.self) { try await runtime.remove(id, force: false) }
            try await runtime.remove(id, force: true)
            #expect(try await runtime.inspect(id) == nil)
            await #expect(throws: ContainerRuntimeError.notFound(id)) { try await runtime.start(id) }
            #expect((try? await fixture.get("/health")) == nil)
        }
    }

    @Test("an agent that crashes is started again; one that was stopped is not")
    func restartPolicy() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let id = try await fixture.runtime.create(fixture.spec)
            try await fixture.runtime.start(id)
            try await fixture.waitHealthy()
            let first = try #require(try await fixture.runtime.inspect(id)?.startedAt)
            #expect(try await fixture.post("/sim/mode", "crash").status == .noContent)
            try await Task.sleep(for: .milliseconds(500))
            try await fixture.waitHealthy()
            #expect(try await fixture.lines().contains("zcagent-sim: crashing as asked"))
            let second = try #require(try await fixture.runtime.inspect(id)?.startedAt)
            #expect(second >= first)
            try await fixture.runtime.stop(id, timeout: .seconds(5))
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await fixture.runtime.inspect(id)?.state == .exited)
        }
    }

    @Test("a followed log hands out new lines and ends when the agent stops")
    func follow() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let id = try await fixture.runtime.create(fixture.spec)
            try await fixture.runtime.start(id)
            try await fixture.waitHealthy()
            let collected = Collected()
            let runtime = fixture.runtime
            let follower = Task {
                try await runtime.logs(id, options: LogOptions(tail: 1, follow: true)) { collected.append($0.text) }
            }
            try await Task.sleep(for: .milliseconds(200))
            _ = try await fixture.post("/sim/mode", "unhealthy")
            try await runtime.stop(id, timeout: .seconds(5))
            // The follow ends by itself once the agent has stopped.
            try await follower.value
            #expect(collected.all.contains("zcagent-sim: mode unhealthy"))
            #expect(collected.all.last == "zcagent-sim: shutting down")
        }
    }

    @Test("execs past the per-agent limit are refused at once, not queued; a slot frees when one ends")
    func execLimit() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let runtime = fixture.runtime
            let id = try await runtime.create(fixture.spec)
            try await runtime.start(id)
            #expect(runtime.options.maxExecsPerAgent == 4)
            let running = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await runtime.exec(id, ExecRequest(argv: ["/bin/sleep", "2"])).exitCode }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            try await Task.sleep(for: .milliseconds(500))
            let started = ContinuousClock.now
            await #expect(throws: ContainerRuntimeError.self) {
                _ = try await runtime.exec(id, ExecRequest(argv: ["/bin/true"]))
            }
            #expect(ContinuousClock.now - started < .seconds(1), "refused at once, not after a wait")
            #expect(try await running.value == [0, 0, 0, 0])
            #expect(try await runtime.exec(id, ExecRequest(argv: ["/bin/true"])).exitCode == 0, "the slots are free")
        }
    }

    @Test("an exec past its timeout is killed with its children")
    func execTimeout() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let id = try await fixture.runtime.create(fixture.spec)
            try await fixture.runtime.start(id)
            let started = ContinuousClock.now
            let result = try await fixture.runtime.exec(
                id, ExecRequest(argv: ["/bin/sh", "-c", "echo before; sleep 30; echo after"], timeout: .seconds(1)))
            #expect(result.timedOut)
            #expect(result.output == "before\n")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test("the agent's environment holds nothing of the platform's")
    func environmentIsolation() async throws {
        // The test process has its own variables (HOME, ZC_TEST_…, a PostgreSQL URL in CI); none may leak.
        let fixture = try Fixture()
        try await fixture.scoped {
            let id = try await fixture.runtime.create(fixture.spec)
            try await fixture.runtime.start(id)
            let environment = try await fixture.runtime.exec(id, ExecRequest(argv: ["/usr/bin/env"]))
            let keys = Set(
                environment.output.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) }
            )
            #expect(
                keys == [
                    "PATH", "LANG", "HOME", "ZEROCLAW_observability__backend", "ZEROCLAW_gateway__host",
                    "ZEROCLAW_gateway__port",
                ])
            #expect(environment.output.contains("HOME=\(fixture.spec.dataDirectory)\n"))
            #expect(environment.output.contains("ZEROCLAW_gateway__port=\(fixture.spec.hostPort)\n"))
        }
    }

    @Test("a ZEROCLAW_ variable the agent would refuse to boot on is refused at create, naming it")
    func refusedEnvironment() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            var spec = fixture.spec
            spec.environment["ZEROCLAW_channels__telegram__bot_token"] = "x"
            do {
                _ = try await fixture.runtime.create(spec)
                Issue.record("created")
            } catch ContainerRuntimeError.failed(let message) {
                #expect(message.contains("ZEROCLAW_channels__telegram__bot_token"))
            }
            // Upper-case names are not config paths to the agent: left alone.
            spec.environment = ["ZEROCLAW_EXTRA": "1"]
            _ = try await fixture.runtime.create(spec)
        }
    }

    @Test("logs rotate at their cap and keep three files")
    func logRotation() async throws {
        let fixture = try Fixture(
            command: [
                "/bin/sh", "-c",
                "i=0; while [ $i -lt 3000 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); done; sleep 30",
            ],
            maxLogBytes: 16_384)
        try await fixture.scoped {
            let id = try await fixture.runtime.create(fixture.spec)
            try await fixture.runtime.start(id)
            let deadline = ContinuousClock.now + .seconds(10)
            while try await fixture.lines(tail: 1) != ["line-2999-padding-padding-padding"],
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            let run = fixture.directory.file("run/\(fixture.spec.name)")
            let files = try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasPrefix("agent.log") }
                .sorted()
            #expect(files == ["agent.log", "agent.log.1", "agent.log.2"])
            for file in files {
                let size = try FileManager.default.attributesOfItem(atPath: "\(run)/\(file)")[.size] as? Int ?? 0
                #expect(size <= 16_384)
            }
            let tail = try await fixture.lines(tail: 5)
            #expect(tail == (2995..<3000).map { "line-\($0)-padding-padding-padding" })
        }
    }

    @Test("an agent command that does not exist is refused at create")
    func missingCommand() async throws {
        let fixture = try Fixture(command: ["/nonexistent/zeroclaw", "daemon"])
        try await fixture.scoped {
            await #expect(throws: ContainerRuntimeError.self) { _ = try await fixture.runtime.create(fixture.spec) }
        }
    }
}

final class Collected: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
