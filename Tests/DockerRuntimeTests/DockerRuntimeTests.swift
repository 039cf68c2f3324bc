import DockerRuntime
import Foundation
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// The Docker runtime against a real dockerd and the agent simulator's image.
@Suite(
    "Docker runtime on a real engine", .serialized,
    .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerRuntimeTests {
    /// A container of the simulator with a fresh name, port, uid and data directory.
    struct Fixture {
        let runtime: DockerRuntime
        let spec: ContainerSpec
        let directory: TemporaryDirectory

        /// A network of this test's own, so parallel runs never share one.
        let tenantNetwork = "zc-test-net-\(UUID().uuidString.prefix(8).lowercased())"

        init(network: DockerRuntimeOptions.Network = .host, image: String = DockerTestEngine.agentImage) throws {
            runtime = try DockerRuntime(
                options: DockerRuntimeOptions(
                    socketPath: try DockerTestEngine.requireSocket(), network: network, tenantNetwork: tenantNetwork),
                logger: .disabled)
            directory = try TemporaryDirectory("zc-docker")
            chmod(directory.path, 0o755)
            let uid = Int.random(in: 200_000...265_535)
            let data = directory.file("tenant")
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            chown(data, uid_t(uid), gid_t(uid))
            chmod(data, 0o700)
            let name = "zeroclaw-tenant-test-\(UUID().uuidString.prefix(8).lowercased())"
            spec = ContainerSpec(
                name: name, image: image, entrypoint: [], command: [],
                environment: ["ZEROCLAW_observability__backend": "prometheus"],
                labels: ["zcplatform.tenant": String(name.dropFirst(16)), "zcplatform.test": "docker-runtime"],
                uid: uid,
                dataDirectory: data, hostPort: FreePort.next(), containerPort: 42617, memoryBytes: 64 << 20,
                cpuLimit: 0.5, pidsLimit: 64)
        }

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
            try? await runtime.remove(ContainerID(spec.name), force: true)
            await runtime.shutdown()
            _ = try? await Self.engine(.delete, "/v1.41/networks/\(tenantNetwork)")
            directory.remove()
        }

        /// One raw Engine API call, as the `docker` CLI would make it.
        static func engine(
            _ method: HTTPMethod, _ target: String, json: String? = nil
        ) async throws
            -> HTTPClientResponse
        {
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            return try await client.execute(
                method, .unix(path: try DockerTestEngine.requireSocket()), target,
                headers: json == nil ? [:] : ["Content-Type": "application/json"], body: Array((json ?? "").utf8))
        }

        /// The raw inspection, as `docker inspect` shows it.
        func rawInspect() async throws -> [String: JSONValue] {
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            let response = try await client.execute(
                .get, .unix(path: try DockerTestEngine.requireSocket()), "/v1.41/containers/\(spec.name)/json")
            guard case .object(let fields)? = JSONValue(jsonText: response.text) else {
                Issue.record("inspect answered \(response.status.code): \(response.text)")
                return [:]
            }
            return fields
        }

        /// Polls the agent's `/health` on the host port until it answers 200.
        func waitHealthy(timeout: Duration = .seconds(20)) async throws {
            let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1)))
            defer { Task { await client.shutdown() } }
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let response = try? await client.execute(
                    .get, .tcp(host: "127.0.0.1", port: spec.hostPort), "/health", timeout: .seconds(2)),
                    response.status == .ok
                {
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw ContainerRuntimeError.timedOut("the simulator did not answer /health")
        }
    }

    @Test("a created container carries every isolation setting of the product")
    func isolationSettings() async throws {
        let fixture = try Fixture(network: .bridge)
        try await fixture.scoped {
            _ = try await fixture.runtime.create(fixture.spec)
            let inspect = try await fixture.rawInspect()
            guard case .object(let host)? = inspect["HostConfig"], case .object(let config)? = inspect["Config"] else {
                Issue.record("no HostConfig in \(inspect.keys.sorted())")
                return
            }
            #expect(host["CapDrop"] == ["ALL"])
            #expect(host["SecurityOpt"] == ["no-new-privileges:true"])
            #expect(host["ReadonlyRootfs"] == true)
            guard case .object(let tmpfs)? = host["Tmpfs"], case .string(let tmp)? = tmpfs["/tmp"] else {
                Issue.record("no tmpfs /tmp: \(String(describing: host["Tmpfs"]))")
                return
            }
            #expect(tmp.contains("noexec") && tmp.contains("size=64m"))
            #expect(host["Memory"] == .number(Double(64 << 20)))
            #expect(host["MemorySwap"] == .number(Double(64 << 20)))
            #expect(host["NanoCpus"] == .number(500_000_000))
            #expect(host["PidsLimit"] == 64)
            #expect(config["User"] == .string("\(fixture.spec.uid):\(fixture.spec.uid)"))
            #expect(
                host["Mounts"] == [
                    [
                        "Type": "bind", "Source": .string(fixture.spec.dataDirectory), "Target": "/zeroclaw-data",
                    ]
                ])
            #expect(
                host["PortBindings"]
                    == ["42617/tcp": [["HostIp": "127.0.0.1", "HostPort": .string(String(fixture.spec.hostPort))]]])
            guard case .object(let restart)? = host["RestartPolicy"] else {
                Issue.record("no restart policy")
                return
            }
            #expect(restart["Name"] == "unless-stopped")
            #expect(host["LogConfig"] == ["Type": "json-file", "Config": ["max-size": "50m", "max-file": "3"]])
            guard case .object(let labels)? = config["Labels"], case .array(let environment)? = config["Env"] else {
                Issue.record("no labels or environment")
                return
            }
            #expect(labels["zcplatform.test"] == "docker-runtime")
            // What the platform sets, exactly: the gateway's bind address, beside the spec's one variable.
            #expect(
                environment.compactMap {
                    if case .string(let text) = $0, text.hasPrefix("ZEROCLAW_") { text } else { nil }
                }
                .sorted() == [
                    "ZEROCLAW_gateway__allow_public_bind=true", "ZEROCLAW_gateway__host=0.0.0.0",
                    "ZEROCLAW_gateway__port=42617", "ZEROCLAW_observability__backend=prometheus",
                ])
            #expect(environment.contains("HOME=/zeroclaw-data"))

            // The tenants' own network, with inter-container traffic off, created for it.
            #expect(host["NetworkMode"] == .string(fixture.tenantNetwork))
            let network = try await Fixture.engine(.get, "/v1.41/networks/\(fixture.tenantNetwork)")
            guard case .object(let fields)? = JSONValue(jsonText: network.text),
                case .object(let options)? = fields["Options"]
            else {
                Issue.record("network \(fixture.tenantNetwork): \(network.text)")
                return
            }
            #expect(fields["Driver"] == "bridge")
            #expect(options["com.docker.network.bridge.enable_icc"] == "false")
            // On the bridge, the agent answers on its loopback-published port and nowhere else.
            try await fixture.runtime.start(ContainerID(fixture.spec.name))
            try await fixture.waitHealthy()
        }
    }

    @Test("an existing network of that name that lets containers talk to each other is refused, not used")
    func sharedNetworkRefused() async throws {
        let fixture = try Fixture(network: .bridge)
        try await fixture.scoped {
            let made = try await Fixture.engine(
                .post, "/v1.41/networks/create", json: #"{"Name":"\#(fixture.tenantNetwork)","Driver":"bridge"}"#)
            #expect(made.status.code == 201, "\(made.text)")
            await #expect {
                _ = try await fixture.runtime.create(fixture.spec)
            } throws: { error in
                "\(error)".contains("lets containers reach each other")
            }
            #expect(try await fixture.runtime.inspect(ContainerID(fixture.spec.name)) == nil, "nothing created")
        }
    }

    @Test("create, start, logs, exec, stats, stop, start, restart, list and remove one container")
    func lifecycle() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let runtime = fixture.runtime
            let id = ContainerID(fixture.spec.name)
            _ = try await runtime.create(fixture.spec)
            #expect(try await runtime.inspect(id)?.state == .created)
            try await runtime.start(id)
            try await runtime.start(id)  // already started: 304, not an error
            try await fixture.waitHealthy()
            let running = try #require(try await runtime.inspect(id))
            #expect(running.state == .running)
            #expect(running.startedAt != nil)
            #expect(running.labels["zcplatform.test"] == "docker-runtime")

            let lines = LineCollector()
            try await runtime.logs(id, options: LogOptions(tail: 100)) { lines.append($0) }
            #expect(lines.texts.contains { $0.contains("listening on 127.0.0.1:\(fixture.spec.hostPort)") })
            let stamped = LineCollector()
            try await runtime.logs(id, options: LogOptions(tail: 1, timestamps: true)) { stamped.append($0) }
            #expect(stamped.texts.count == 1)
            #expect(stamped.texts.first?.hasPrefix("20") == true)

            // The agent wrote its state into the bound tenant directory, as its own uid.
            let state = "\(fixture.spec.dataDirectory)/.zeroclaw/state/last-start"
            var info = stat()
            #expect(stat(state, &info) == 0)
            #expect(Int(info.st_uid) == fixture.spec.uid)

            let status = try await runtime.exec(id, ExecRequest(argv: ["zeroclaw", "status"]))
            #expect(status.exitCode == 0)
            #expect(status.output.contains("zeroclaw status: running"))
            let failing = try await runtime.exec(id, ExecRequest(argv: ["zeroclaw", "exit", "3"]))
            #expect(failing.exitCode == 3)
            let missing = try await runtime.exec(id, ExecRequest(argv: ["no-such-program"]))
            #expect(missing.exitCode != 0)

            let stats = try await runtime.stats(id)
            #expect(stats.memBytes > 0)
            #expect(stats.memLimit == 64 << 20)
            #expect(stats.pids >= 1)
            #expect(stats.cpuNanoseconds > 0)

            let listed = try await runtime.list(labels: ["zcplatform.tenant": String(fixture.spec.name.dropFirst(16))])
            #expect(listed.map(\.name) == [fixture.spec.name])
            #expect(listed.first?.state == .running)

            try await runtime.stop(id, timeout: .seconds(5))
            #expect(try await runtime.inspect(id)?.state == .exited)
            try await runtime.stop(id, timeout: .seconds(5))  // already stopped: 304, not an error
            try await runtime.start(id)
            try await fixture.waitHealthy()
            try await runtime.restart(id, timeout: .seconds(5))
            try await fixture.waitHealthy()
            #expect(try await runtime.inspect(id)?.state == .running)

            try await runtime.remove(id, force: true)
            #expect(try await runtime.inspect(id) == nil)
            await #expect(throws: ContainerRuntimeError.notFound(id)) { try await runtime.start(id) }
            await #expect(throws: ContainerRuntimeError.notFound(id)) { try await runtime.remove(id, force: true) }
            await #expect(throws: ContainerRuntimeError.notFound(id)) { try await runtime.stats(id) }
        }
    }

    @Test("a followed log streams new lines as the agent writes them, until cancelled")
    func followLogs() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let id = try await fixture.runtime.create(fixture.spec)
            try await fixture.runtime.start(id)
            try await fixture.waitHealthy()
            let lines = LineCollector()
            let runtime = fixture.runtime
            let follower = Task {
                try await runtime.logs(id, options: LogOptions(tail: 0, follow: true)) { lines.append($0) }
            }
            // Give the follower time to attach, then make the agent write a line.
            try await Task.sleep(for: .milliseconds(500))
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            let answer = try await client.execute(
                .post, .tcp(host: "127.0.0.1", port: fixture.spec.hostPort), "/sim/mode", body: Array("unhealthy".utf8))
            #expect(answer.status == .noContent)
            let deadline = ContinuousClock.now + .seconds(10)
            while !lines.texts.contains("zcagent-sim: mode unhealthy"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(lines.texts.contains("zcagent-sim: mode unhealthy"))
            #expect(!lines.texts.contains { $0.contains("listening") })  // tail 0: nothing from before
            follower.cancel()
            let ended = await follower.result
            if case .failure(let error) = ended { #expect(error is CancellationError || "\(error)".contains("cancel")) }
        }
    }

    @Test("an exec that runs past its timeout is cut and killed")
    func execTimeout() async throws {
        let fixture = try Fixture()
        try await fixture.scoped {
            let id = try await fixture.runtime.create(fixture.spec)
            try await fixture.runtime.start(id)
            try await fixture.waitHealthy()
            let before = try await fixture.runtime.stats(id).pids
            let started = ContinuousClock.now
            let result = try await fixture.runtime.exec(
                id, ExecRequest(argv: ["zeroclaw", "sleep", "60"], timeout: .seconds(1)))
            let elapsed = ContinuousClock.now - started
            #expect(result.timedOut)
            #expect(elapsed < .seconds(15))
            // The sleeping process is gone: only the daemon's own threads are left in the container.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await fixture.runtime.stats(id).pids == before)
        }
    }

    @Test("an image that does not exist and cannot be pulled is imageNotFound, with the cause")
    func missingImage() async throws {
        let fixture = try Fixture(image: "zcplatform-test/no-such-image:1")
        try await fixture.scoped {
            do {
                _ = try await fixture.runtime.create(fixture.spec)
                Issue.record("create succeeded with a missing image")
            } catch let error as ContainerRuntimeError {
                guard case .imageNotFound(let what) = error else {
                    Issue.record("expected imageNotFound, got \(error)")
                    return
                }
                #expect(what.hasPrefix("zcplatform-test/no-such-image:1"))
                #expect(error.failureKind == .invalid)
            }
        }
    }

    @Test("a daemon that cannot be reached is unavailable (503), never a crash")
    func unreachableDaemon() async throws {
        let directory = try TemporaryDirectory("zc-docker")
        defer { directory.remove() }
        let runtime = try DockerRuntime(
            options: DockerRuntimeOptions(socketPath: directory.file("docker.sock")), logger: .disabled)
        defer { Task { await runtime.shutdown() } }
        for operation in [
            { try await runtime.ping() }, { _ = try await runtime.inspect(ContainerID("x")) },
            { try await runtime.start(ContainerID("x")) },
        ] as [@Sendable () async throws -> Void] {
            do {
                try await operation()
                Issue.record("an operation succeeded without a daemon")
            } catch let error as ContainerRuntimeError {
                guard case .unavailable(let why) = error else {
                    Issue.record("expected unavailable, got \(error)")
                    continue
                }
                #expect(why.contains(directory.file("docker.sock")))
                #expect(error.failureKind == .unavailable)
            }
        }
    }
}

/// Lines handed out by `logs`, kept for the test to look at.
final class LineCollector: Sendable {
    private let lines = Mutex<[LogLine]>([])
    func append(_ line: LogLine) { lines.withLock { $0.append(line) } }
    var texts: [String] { lines.withLock { $0.map(\.text) } }
}
