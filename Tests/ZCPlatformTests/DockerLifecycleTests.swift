import Foundation
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// The runbook against a real dockerd and the simulator's image, through the REST API.
@Suite(
    "Tenant lifecycle through the API (Docker runtime)", .serialized,
    .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerLifecycleTests {
    static func environment(socket: String? = nil, image: String? = nil) throws -> [String: String] {
        [
            "ZCPLATFORM_RUNTIME_DRIVER": "docker",
            "ZCPLATFORM_RUNTIME_DOCKER_SOCKET": try socket ?? DockerTestEngine.requireSocket(),
            "ZCPLATFORM_RUNTIME_IMAGE": image ?? DockerTestEngine.agentImage,
            // The test engine runs without a bridge (.ci/docker): agents bind the loopback port themselves.
            "ZCPLATFORM_RUNTIME_NETWORK": "host",
            "ZCPLATFORM_RUNTIME_STOP_TIMEOUT_SECONDS": "5",
        ]
    }

    /// A tenant id no other test (or earlier run) uses in the shared engine.
    static func tenantID(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())" }

    /// `GET /containers/{name}/json` straight from the engine, as `docker inspect` shows it.
    static func inspect(_ name: String) async throws -> (status: Int, fields: [String: JSONValue]) {
        let client = try HTTPClient()
        defer { Task { await client.shutdown() } }
        let response = try await client.execute(
            .get, .unix(path: try DockerTestEngine.requireSocket()), "/v1.41/containers/\(name)/json")
        guard case .object(let fields)? = JSONValue(jsonText: response.text) else { return (response.status.code, [:]) }
        return (response.status.code, fields)
    }

    /// The runbook's direct fallback: `docker logs zeroclaw-tenant-{id} --tail 100`.
    static func dockerCLILogs(_ name: String) throws -> String? {
        try dockerCLI(["logs", name, "--tail", "100"])?.output
    }

    /// Runs the `docker` CLI against the test engine (the runbook's direct fallback); nil without a CLI,
    /// which CI must have.
    static func dockerCLI(_ arguments: [String]) throws -> (status: Int32, output: String)? {
        let docker = ["/usr/bin/docker", "/usr/local/bin/docker"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let docker else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("the docker CLI is not installed") }
            return nil
        }
        let output = try ChildProcess.run(
            [docker] + arguments, environment: ["DOCKER_HOST": "unix://\(try DockerTestEngine.requireSocket())"])
        return (output.status, output.stdoutText + output.stderrText)
    }

    @Test("create → deploy → running → logs → exec → restart → stop → start → delete, with every isolation flag")
    func fullLifecycle() async throws {
        let live = try await LivePlatform.start(try Self.environment())
        try await live.scoped {
            let id = Self.tenantID("dk")
            let name = "zeroclaw-tenant-\(id)"
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"Docker Co"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/\(id)/deploy").status == 202)
            let status = try await live.waitFor(id, "running", timeout: .seconds(60))
            let port = try #require(status["port"] as? Int)
            #expect(await live.agentHealth(port: port) == 200)

            let tenant = try #require(try await live.api.store.tenant(try TenantID(id)))
            let plan = try #require(live.api.platform.configuration.plans["default"])
            let (found, inspect) = try await Self.inspect(name)
            #expect(found == 200)
            guard case .object(let host)? = inspect["HostConfig"], case .object(let config)? = inspect["Config"] else {
                Issue.record("no HostConfig")
                return
            }
            #expect(host["CapDrop"] == ["ALL"])
            #expect(host["SecurityOpt"] == ["no-new-privileges:true"])
            #expect(host["ReadonlyRootfs"] == true)
            #expect(host["Memory"] == .number(Double(plan.memoryBytes)))
            #expect(host["MemorySwap"] == .number(Double(plan.memoryBytes)))
            #expect(host["NanoCpus"] == .number((plan.cpuLimit * 1e9).rounded()))
            #expect(host["PidsLimit"] == .number(Double(plan.pidsLimit)))
            #expect(host["NetworkMode"] == "host")
            #expect(host["LogConfig"] == ["Type": "json-file", "Config": ["max-size": "50m", "max-file": "3"]])
            #expect(config["User"] == .string("\(tenant.uid!):\(tenant.uid!)"))
            guard case .object(let labels)? = config["Labels"], case .object(let tmpfs)? = host["Tmpfs"],
                case .object(let restart)? = host["RestartPolicy"]
            else {
                Issue.record("no labels, tmpfs or restart policy")
                return
            }
            #expect(labels["zcplatform.tenant"] == .string(id))
            #expect(labels["zcplatform.node"] == .string(live.api.platform.configuration.cluster.nodeID))
            #expect(tmpfs["/tmp"] != nil)
            #expect(restart["Name"] == "unless-stopped")
            // The tenant directory belongs to the tenant's uid, and its config file is 0600.
            var info = stat()
            let configPath = live.api.directory.file("tenants/\(id)/.zeroclaw/config.toml")
            #expect(stat(configPath, &info) == 0)
            #expect(Int(info.st_uid) == tenant.uid)
            #expect(info.st_mode & 0o777 == 0o600)

            if let direct = try await Blocking.run({ try Self.dockerCLILogs(name) }) {
                #expect(direct.contains("zeroclaw gateway listening on 127.0.0.1:\(port)"), "\(direct)")
            }
            let logs = await live.call(.get, "/api/tenants/\(id)/logs?tail=100")
            #expect(logs.status == 200)
            #expect(logs.text.contains("listening on 127.0.0.1:\(port)"))

            // Follow, streamed to the client as the agent writes.
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            let stream = try await client.stream(
                .get, .tcp(host: "127.0.0.1", port: live.port), "/api/tenants/\(id)/logs?tail=1&follow=1",
                headers: ["Authorization": "Bearer \(live.admin)"])
            #expect(stream.status == .ok)
            try await live.postToAgent(port: port, "/sim/mode", "unhealthy")
            var received = ""
            for try await piece in stream.body {
                received += String(decoding: piece, as: UTF8.self)
                if received.contains("data: zcagent-sim: mode unhealthy") { break }
            }
            #expect(received.contains("data: zcagent-sim: mode unhealthy"))
            try await live.postToAgent(port: port, "/sim/mode", "healthy")

            let exec = await live.call(.post, "/api/tenants/\(id)/exec", json: #"{"command":"zeroclaw status"}"#)
            #expect(exec.status == 200)
            #expect(exec.json["exit_code"] as? Int == 0)
            #expect((exec.json["output"] as? String)?.contains("zeroclaw status: running") == true)
            let cut = await live.call(
                .post, "/api/tenants/\(id)/exec", json: #"{"argv":["zeroclaw","sleep","60"],"timeout_seconds":1}"#)
            #expect(cut.json["timed_out"] as? Bool == true)

            #expect(await live.call(.post, "/api/tenants/\(id)/restart").status == 200)
            try await waitHealthy(live, port)
            #expect(await live.call(.post, "/api/tenants/\(id)/stop").status == 200)
            let stopped = try await Self.inspect(name).fields["State"]
            guard case .object(let state)? = stopped else {
                Issue.record("no State")
                return
            }
            #expect(state["Status"] == "exited")
            #expect(await live.call(.post, "/api/tenants/\(id)/start").status == 200)
            try await waitHealthy(live, port)
            #expect(await live.call(.delete, "/api/tenants/\(id)").status == 204)
            #expect(try await Self.inspect(name).status == 404)
            let actions = await live.auditActions(id)
            for action in [
                "tenant.deploy", "tenant.deployed", "tenant.exec", "tenant.restart", "tenant.stop", "tenant.start",
            ] {
                #expect(actions.contains(action), "audit lacks \(action)")
            }
        }
    }

    @Test("the Docker daemon stopped mid-operation: 503, nothing marked lost, recovery when it returns")
    func daemonOutage() async throws {
        let directory = try TemporaryDirectory("zc-proxy")
        defer { directory.remove() }
        let proxy = UnixSocketProxy(path: directory.file("docker.sock"), upstream: try DockerTestEngine.requireSocket())
        try proxy.start()
        defer { proxy.stop() }
        let live = try await LivePlatform.start(try Self.environment(socket: proxy.path))
        try await live.scoped {
            let id = Self.tenantID("outage")
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"Outage"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/\(id)/deploy").status == 202)
            let port = try #require(try await live.waitFor(id, "running", timeout: .seconds(60))["port"] as? Int)

            // A follow in flight when the daemon goes away ends; it does not hang.
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            let stream = try await client.stream(
                .get, .tcp(host: "127.0.0.1", port: live.port), "/api/tenants/\(id)/logs?tail=1&follow=1",
                headers: ["Authorization": "Bearer \(live.admin)"])
            #expect(stream.status == .ok)
            proxy.stop()
            let ended = Task {
                var text = ""
                for try await piece in stream.body { text += String(decoding: piece, as: UTF8.self) }
                return text
            }
            _ = try? await ended.value

            for action in ["restart", "stop"] {
                let refused = await live.call(.post, "/api/tenants/\(id)/\(action)")
                #expect(refused.status == 503, "\(action): \(refused.text)")
                #expect(refused.error?.hasPrefix("the container runtime is unavailable") == true, "\(refused.text)")
            }
            #expect(await live.call(.get, "/api/tenants/\(id)/logs").status == 503)
            // Nothing was marked lost: the tenant is still running, and so is its agent.
            #expect(try await live.waitFor(id, "running")["status"] as? String == "running")
            #expect(await live.agentHealth(port: port) == 200)
            let metrics = await live.api.call(.get, "/metrics").text
            #expect(metrics.contains(#"zcplatform_runtime_up{driver="docker"} 0"#))

            try proxy.start()
            let restart = await live.call(.post, "/api/tenants/\(id)/restart")
            #expect(restart.status == 200, "\(restart.text)")
            try await waitHealthy(live, port)
            #expect(await live.call(.delete, "/api/tenants/\(id)").status == 204)
        }
    }

    @Test("an image that does not exist ends the deploy in error with the cause")
    func missingImage() async throws {
        let live = try await LivePlatform.start(try Self.environment(image: "zcplatform-test/no-such-image:1"))
        try await live.scoped {
            let id = Self.tenantID("noimg")
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"No image"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/\(id)/deploy").status == 202)
            let status = try await live.waitFor(id, "error", timeout: .seconds(60))
            let message = try #require(status["error_message"] as? String)
            #expect(message.hasPrefix("create container: image zcplatform-test/no-such-image:1"), "\(message)")
            #expect(message.hasSuffix("not found"), "\(message)")
        }
    }

    func waitHealthy(_ live: LivePlatform, _ port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while await live.agentHealth(port: port) != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await live.agentHealth(port: port) == 200)
    }
}

/// Reconciliation against a real engine: what a restart of the platform finds after someone used the
/// `docker` CLI behind its back.
@Suite(
    "Reconciliation on a real engine", .serialized,
    .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerReconcileTests {
    @Test("an orphan container is removed; a running tenant's vanished container is created again")
    func reconcile() async throws {
        let first = try await LivePlatform.start(try DockerLifecycleTests.environment())
        let directory = first.api.directory
        defer { directory.remove() }
        let node = first.api.platform.configuration.cluster.nodeID
        let id = DockerLifecycleTests.tenantID("recon")
        #expect(await first.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"Reconcile"}"#).status == 201)
        #expect(await first.call(.post, "/api/tenants/\(id)/deploy").status == 202)
        let port = try #require(try await first.waitFor(id, "running", timeout: .seconds(60))["port"] as? Int)
        let instance = try await first.api.store.read { try await $0.instanceID() }
        await first.stop()

        // Behind the platform's back: the tenant's container removed, and a stray one left with this
        // node's label and a tenant that does not exist.
        let docker = try DockerRuntimeHandle()
        defer { Task { await docker.shutdown() } }
        try await docker.remove("zeroclaw-tenant-\(id)")
        let stray = "zeroclaw-tenant-\(DockerLifecycleTests.tenantID("stray"))"
        try await docker.createStray(stray, node: node, instance: instance)
        // One another database made (a new, empty one started by mistake): never this one's to remove.
        let foreign = "zeroclaw-tenant-\(DockerLifecycleTests.tenantID("foreign"))"
        try await docker.createStray(foreign, node: node, instance: "another-database")

        let second = try await first.restarted()
        try await second.scoped {
            let deadline = ContinuousClock.now + .seconds(30)
            var events: [AuditEvent] = []
            while events.isEmpty, ContinuousClock.now < deadline {
                events = try await second.api.store.read {
                    try await $0.auditEvents(AuditQuery(action: "platform.reconcile"))
                }.events
                try await Task.sleep(for: .milliseconds(100))
            }
            let detail = try #require(events.first?.detail)
            #expect(detail["orphans_removed"] == .array([.string(stray)]))
            #expect(detail["recreated"] == .array([.string(id)]))
            #expect(try await DockerLifecycleTests.inspect(stray).status == 404)
            #expect(try await DockerLifecycleTests.inspect(foreign).status == 200, "left alone")
            try await docker.remove(foreign)
            #expect(try await DockerLifecycleTests.inspect("zeroclaw-tenant-\(id)").status == 200)
            let healthDeadline = ContinuousClock.now + .seconds(20)
            while await second.agentHealth(port: port) != 200, ContinuousClock.now < healthDeadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(await second.agentHealth(port: port) == 200)
            #expect(await second.call(.delete, "/api/tenants/\(id)").status == 204)
        }
    }
}

/// Direct engine calls for the reconciliation test, as an operator's `docker` CLI would make them.
struct DockerRuntimeHandle {
    let client: HTTPClient
    let socket: String

    init() throws {
        client = try HTTPClient()
        socket = try DockerTestEngine.requireSocket()
    }

    func shutdown() async { await client.shutdown() }

    func remove(_ name: String) async throws {
        let answer = try await client.execute(.delete, .unix(path: socket), "/v1.41/containers/\(name)?force=true")
        #expect(answer.status.code == 204, "\(answer.text)")
    }

    func createStray(_ name: String, node: String, instance: String) async throws {
        let body =
            #"{"Image":"\#(DockerTestEngine.agentImage)","Cmd":["sleep","300"],"Labels":{"zcplatform.node":"\#(node)","zcplatform.tenant":"gone","zcplatform.managed":"true","zcplatform.instance":"\#(instance)"},"HostConfig":{"NetworkMode":"none"}}"#
        let answer = try await client.execute(
            .post, .unix(path: socket), "/v1.41/containers/create?name=\(name)",
            headers: ["Content-Type": "application/json"], body: Array(body.utf8))
        #expect(answer.status.code == 201, "\(answer.text)")
    }
}
