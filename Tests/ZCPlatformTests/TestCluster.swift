import Foundation
import PostgresStore
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// Three (or more) `zcplatform serve` processes, each on a loopback address of its own (127.0.0.11,
/// .12, …) with its own data directory and agent port range, sharing one PostgreSQL schema and one vault
/// key: a cluster on one machine, as an operator would run it on several. Its invariant checker watches
/// the agents from the first node's start to the end of `scoped`, which then finds no moment at which a
/// tenant had two agents, and every create the test acknowledged in the database.
final class TestCluster: Sendable {
    struct Member: Sendable {
        let id: String
        let host: String
        let port: Int
        var base: HTTPEndpoint { .tcp(host: host, port: port) }
    }

    let directory: TemporaryDirectory
    let schema: String
    let url: String
    let members: [Member]
    let invariants: ClusterInvariants
    let token: String
    let client: HTTPClient
    let cli: CommandRunner
    let extra: [String: String]
    let perNode: [String: [String: String]]
    /// The nodes that reach PostgreSQL through a relay the test can cut.
    let relays: [String: TCPRelay]
    /// The PostgreSQL server, when not the shared one.
    let server: String?
    private let running: Mutex<[String: RunningCommand]>

    /// Starts `count` nodes; `extra` adds to every node's environment, `perNode` to one node's; `ports`
    /// (when given) are the first nodes' ports; `relays` carry a node's PostgreSQL connections.
    static func start(
        _ count: Int = 3, environment extra: [String: String] = [:], perNode: [String: [String: String]] = [:],
        ports: [Int] = [], relays: [String: TCPRelay] = [:], postgres server: String? = nil
    ) async throws -> TestCluster {
        let directory = try TemporaryDirectory("zc-cluster")
        let (schema, url) = try PostgresTestDatabase.makeSchema(on: server)
        let members = (1...count).map {
            Member(id: "n\($0)", host: "127.0.0.\(10 + $0)", port: $0 <= ports.count ? ports[$0 - 1] : FreePort.next())
        }
        let cli = CommandRunner(directory: directory.path)
        let client = try HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), readTimeout: .seconds(20)))
        let cluster = TestCluster(
            directory: directory, schema: schema, url: url, members: members, client: client, cli: cli, extra: extra,
            perNode: perNode, relays: relays, server: server, token: "")
        // The first node made alone: it creates the vault key the others share, and migrates.
        let bootstrap = try await cli.run(
            ["bootstrap", "--admin-email", "ops@example.com"], environment: cluster.environment(of: members[0]))
        #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
        let token = try #require(bootstrap.stdoutLines.last)
        let started = TestCluster(
            directory: directory, schema: schema, url: url, members: members, client: client, cli: cli, extra: extra,
            perNode: perNode, relays: relays, server: server, token: token)
        started.invariants.start()
        for member in members { try await started.startNode(member.id) }
        return started
    }

    private init(
        directory: TemporaryDirectory, schema: String, url: String, members: [Member], client: HTTPClient,
        cli: CommandRunner, extra: [String: String], perNode: [String: [String: String]], relays: [String: TCPRelay],
        server: String?, token: String
    ) {
        self.relays = relays
        self.server = server
        self.perNode = perNode
        self.directory = directory
        self.schema = schema
        self.url = url
        self.members = members
        invariants = ClusterInvariants(root: directory.path)
        self.client = client
        self.cli = cli
        self.extra = extra
        self.token = token
        running = Mutex([:])
    }

    func member(_ id: String) -> Member { members.first { $0.id == id }! }

    func environment(of member: Member) -> [String: String] {
        let index = Int(member.id.dropFirst()) ?? 0
        var environment = [
            "ZCPLATFORM_STORE_DRIVER": "postgres",
            "ZCPLATFORM_STORE_URL": relays[member.id].map { relay in
                var components = URLComponents(string: url)
                components?.host = relay.host
                components?.port = relay.port
                return components?.string ?? url
            } ?? url,
            "ZCPLATFORM_VAULT_KEY_PATH": directory.file("vault.key"),
            "ZCPLATFORM_SERVER_HOST": member.host, "ZCPLATFORM_SERVER_PORT": String(member.port),
            "ZCPLATFORM_CLUSTER_NODE_ID": member.id,
            "ZCPLATFORM_RUNTIME_DRIVER": "process", "ZCPLATFORM_RUNTIME_PROCESS_EXEC": "true",
            "ZCPLATFORM_RUNTIME_AGENT_COMMAND": AgentSimulator.executable,
            "ZCPLATFORM_RUNTIME_DATA_DIR": directory.file("\(member.id)/tenants"),
            // Agents of the three nodes share this host's loopback: each node its own ports.
            "ZCPLATFORM_RUNTIME_PORT_RANGE_START": String(31_000 + index * 100),
            "ZCPLATFORM_RUNTIME_PORT_RANGE_END": String(31_000 + index * 100 + 49),
            "ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS": "20",
            // Placement is seen, not waited for: the fallback poll is long, so a start within seconds
            // shows the signal worked.
            "ZCPLATFORM_RUNTIME_RECONCILE_INTERVAL_SECONDS": "300",
            "ZCPLATFORM_CLUSTER_HEARTBEAT_SECONDS": "1", "ZCPLATFORM_CLUSTER_NODE_DOWN_SECONDS": "3",
            "ZCPLATFORM_CLUSTER_LEADER_RENEW_SECONDS": "1", "ZCPLATFORM_CLUSTER_LEADER_LEASE_SECONDS": "5",
            "ZCPLATFORM_CLUSTER_MEMORY_CAPACITY": "1GiB",
            "ZCPLATFORM_ALERTS_EVALUATION_SECONDS": "1",
        ]
        for (key, value) in extra { environment[key] = value }
        for (key, value) in perNode[member.id] ?? [:] { environment[key] = value }
        return environment
    }

    /// Starts (or restarts) node `id` and waits until it listens.
    func startNode(_ id: String) async throws {
        let member = member(id)
        try FileManager.default.createDirectory(
            atPath: directory.file(id), withIntermediateDirectories: true, attributes: nil)
        let server = try cli.start(["serve"], environment: environment(of: member))
        running.withLock { $0[id] = server }
        let listening = try await waitUntil(.seconds(30)) {
            server.stderrSoFar.contains("event=http.listening")
        }
        #expect(listening, "node \(id) did not start: \(server.stderrSoFar)")
        // Listening comes before the first heartbeat is recorded: until then no node knows this one.
        let known = try await waitUntil(.seconds(30), every: .milliseconds(50)) {
            let nodes = try? await self.json(id, .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]]
            return nodes?.contains { $0["id"] as? String == id && $0["state"] as? String == "active" } == true
        }
        #expect(known, "node \(id) never recorded its heartbeat: \(server.stderrSoFar.suffix(2000))")
    }

    /// Sends `signal` to node `id` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM).
    func signal(_ id: String, _ number: Int32) {
        running.withLock { $0[id] }?.signal(number)
    }

    /// Waits for node `id` to exit after a signal; what it printed.
    func reap(_ id: String) async -> CommandRunner.Result? {
        guard let server = running.withLock({ $0.removeValue(forKey: id) }) else { return nil }
        return await server.finished(timeout: 30)
    }

    func log(of id: String) -> String { running.withLock { $0[id] }?.stderrSoFar ?? "" }

    /// One API call to node `id`.
    func call(
        _ id: String, _ method: HTTPMethod, _ target: String, json: String? = nil, headers extra: HTTPHeaders = [:]
    ) async throws -> HTTPClientResponse {
        var headers = extra
        headers.add("Authorization", "Bearer \(token)")
        if json != nil { headers.add("Content-Type", "application/json") }
        return try await client.execute(
            method, member(id).base, target, headers: headers, body: Array((json ?? "").utf8), timeout: .seconds(30))
    }

    /// The JSON object node `id` answers with.
    func json(_ id: String, _ method: HTTPMethod, _ target: String, json: String? = nil) async throws -> [String: Any] {
        let response = try await call(id, method, target, json: json)
        return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// Creates tenant `id` through `through`, deploys it on `node` and waits until it runs.
    func deploy(_ id: String, on node: String, through: String, timeout: Duration = .seconds(45)) async throws {
        let created = try await call(through, .post, "/api/tenants", json: #"{"id":"\#(id)","name":"\#(id)"}"#)
        #expect(created.status.code == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let deployed = try await call(through, .post, "/api/tenants/\(id)/deploy", json: #"{"node":"\#(node)"}"#)
        #expect(deployed.status.code == 202, "\(String(decoding: deployed.body, as: UTF8.self))")
        let running = try await waitUntil(timeout, every: .milliseconds(200)) {
            try await self.json(through, .get, "/api/tenants/\(id)/status")["status"] as? String == "running"
        }
        #expect(running, "\(id) runs on \(node): \(log(of: node).suffix(2000))")
    }

    /// The node that leads, as `node` sees it (`GET /api/cluster/nodes`), nil while none does.
    func leader(asking node: String) async throws -> String? {
        (try await json(node, .get, "/api/cluster/nodes")["leader"] as? [String: Any])?["node"] as? String
    }

    /// What `GET /api/monitoring/health` on `node` says of tenant `id` (its status, or `unreachable`).
    func shownStatus(of id: String, asking node: String) async throws -> String? {
        let health = try await call(node, .get, "/api/monitoring/health")
        let entries = (try? JSONSerialization.jsonObject(with: Data(health.body)) as? [[String: Any]]) ?? []
        return entries.first { $0["tenant_id"] as? String == id }?["status"] as? String
    }

    /// Stops every node (SIGTERM, then waits), drops the schema and the directory.
    func stop() async {
        invariants.stop()
        let servers = running.withLock { running in
            defer { running.removeAll() }
            return Array(running.values)
        }
        for server in servers { server.signal(SIGCONT) }
        for server in servers { server.signal(SIGTERM) }
        for server in servers { _ = await server.finished(timeout: 30) }
        await client.shutdown()
        PostgresTestDatabase.dropSchema(schema, on: server)
        directory.remove()
    }

    /// Runs `body`, then checks the invariants and stops the cluster (also when it throws).
    func scoped(_ body: () async throws -> Void) async throws {
        do {
            try await body()
            try await checkInvariants()
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// Never two agents of one tenant at once; every acknowledged create in the database.
    func checkInvariants() async throws {
        invariants.stop()
        #expect(invariants.polls > 0, "the census ran")
        #expect(invariants.doubleAgents.isEmpty, "never two agents at once: \(invariants.doubleAgents.prefix(3))")
        guard !invariants.acknowledgedTenants.isEmpty else { return }
        let store = PostgresStore(options: PostgresOptions(url: url), logger: .disabled)
        let present = Set(try await store.read { try await $0.tenants(.all) }.map(\.id.rawValue))
        await store.close()
        let missing = invariants.missing(from: present)
        #expect(missing.isEmpty, "acknowledged but absent: \(missing.prefix(5)) of \(missing.count)")
    }
}
