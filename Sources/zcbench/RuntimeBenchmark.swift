import DockerRuntime
import Foundation
import ZCCore

/// `zcbench runtime`: the Docker runtime (Engine API over its socket, from this process) against what an
/// operator would otherwise run, the `docker` CLI, on the same engine and containers, in alternating
/// rounds. Prints per-operation p50/p95 and the ratio; asserts nothing.
struct RuntimeBenchmark {
    var socket = "/var/run/docker.sock"
    var image = "zcagent-sim:test"
    var containers = 20
    var rounds = 20
    var docker = "/usr/bin/docker"

    struct Row {
        let name: String
        var api = Samples()
        var cli = Samples()
    }

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: docker) else {
            throw BenchmarkError("the docker CLI is not at \(docker) (--docker PATH)")
        }
        let runtime = try DockerRuntime(
            options: DockerRuntimeOptions(socketPath: socket, network: .host), logger: .disabled)
        try await runtime.ping()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("zcbench-runtime-\(getpid())").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let names = (0..<containers).map { "zcbench-agent-\(getpid())-\($0)" }
        print("zcbench runtime: \(containers) simulator containers (\(image)), \(rounds) rounds, socket \(socket)")
        var rows = [
            Row(name: "exec zeroclaw status"), Row(name: "inspect one container"), Row(name: "logs --tail 100"),
            Row(name: "stats, every container once"), Row(name: "create + start + remove"),
        ]
        do {
            for (index, name) in names.enumerated() {
                _ = try await runtime.create(spec(name, index: index, root: root))
                try await runtime.start(ContainerID(name))
            }
            try await Task.sleep(for: .seconds(2))
            for round in 0..<rounds {
                let target = ContainerID(names[round % names.count])
                // Alternate which side goes first, so neither always meets a warm or a cold daemon.
                for apiFirst in round % 2 == 0 ? [true, false] : [false, true] {
                    if apiFirst {
                        rows[0].api.add(
                            try await time {
                                _ = try await runtime.exec(target, ExecRequest(argv: ["zeroclaw", "status"]))
                            })
                        rows[1].api.add(try await time { _ = try await runtime.inspect(target) })
                        rows[2].api.add(
                            try await time { try await runtime.logs(target, options: LogOptions(tail: 100)) { _ in } })
                        rows[3].api.add(
                            try await time {
                                try await withThrowingTaskGroup(of: Void.self) { group in
                                    for name in names {
                                        group.addTask { _ = try await runtime.stats(ContainerID(name)) }
                                    }
                                    try await group.waitForAll()
                                }
                            })
                        let cycle = "zcbench-cycle-\(getpid())-a\(round)"
                        rows[4].api.add(
                            try await time {
                                _ = try await runtime.create(spec(cycle, index: containers + 1, root: root))
                                try await runtime.start(ContainerID(cycle))
                                try await runtime.remove(ContainerID(cycle), force: true)
                            })
                    } else {
                        rows[0].cli.add(try time(cli(["exec", target.rawValue, "zeroclaw", "status"])))
                        rows[1].cli.add(try time(cli(["inspect", target.rawValue])))
                        rows[2].cli.add(try time(cli(["logs", "--tail", "100", target.rawValue])))
                        rows[3].cli.add(try time(cli(["stats", "--no-stream"] + names)))
                        let cycle = "zcbench-cycle-\(getpid())-c\(round)"
                        rows[4].cli.add(
                            try time(
                                cli([
                                    "run", "-d", "--name", cycle, "--network", "host", "--read-only", "--cap-drop",
                                    "ALL", image, "status",
                                ])
                                    + cli(["rm", "-f", cycle])))
                    }
                }
            }
        } catch {
            await cleanup(runtime, names, root)
            throw error
        }
        await cleanup(runtime, names, root)
        print("")
        print("| operation | Engine API p50 | p95 | docker CLI p50 | p95 | CLI / API (p50) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for row in rows {
            let ratio = row.cli.percentile(50) / max(row.api.percentile(50), 1e-9)
            print(
                "| \(row.name) | \(ms(row.api.percentile(50))) | \(ms(row.api.percentile(95))) | \(ms(row.cli.percentile(50))) | \(ms(row.cli.percentile(95))) | \(Format.number(ratio, decimals: 1))× |"
            )
        }
    }

    func spec(_ name: String, index: Int, root: String) -> ContainerSpec {
        let directory = "\(root)/\(name)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chown(directory, 200_000, 200_000)
        return ContainerSpec(
            name: name, image: image, entrypoint: [], command: [], environment: [:], labels: ["zcbench": "runtime"],
            uid: 200_000, dataDirectory: directory, hostPort: 34_000 + index, containerPort: 42617,
            memoryBytes: 64 << 20, cpuLimit: 0.5, pidsLimit: 64)
    }

    func cleanup(_ runtime: DockerRuntime, _ names: [String], _ root: String) async {
        for container in (try? await runtime.list(labels: ["zcbench": "runtime"])) ?? [] {
            try? await runtime.remove(container.id, force: true)
        }
        for name in names { try? await runtime.remove(ContainerID(name), force: true) }
        await runtime.shutdown()
        try? FileManager.default.removeItem(atPath: root)
    }

    func time(_ body: () async throws -> Void) async throws -> Double {
        let start = Clock.now()
        try await body()
        return Clock.seconds(since: start)
    }

    /// The CLI's own wall time, as an operator's script would see it.
    func time(_ seconds: Double) throws -> Double { seconds }

    /// Runs `docker ARGS` against the same engine; returns its wall time.
    func cli(_ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: docker)
        process.arguments = arguments
        process.environment = ["DOCKER_HOST": "unix://\(socket)", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = Clock.now()
        try process.run()
        process.waitUntilExit()
        let elapsed = Clock.seconds(since: start)
        guard process.terminationStatus == 0 else {
            throw BenchmarkError("docker \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return elapsed
    }

    func ms(_ seconds: Double) -> String { "\(Format.number(seconds * 1000, decimals: 1)) ms" }
}
