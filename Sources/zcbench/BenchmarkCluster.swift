import Foundation
import Synchronization
import ZCHTTP

/// The processes of `zcbench cluster`: `zcplatform serve` on 127.0.0.11–13, one data directory each, a
/// shared vault key and a super-admin token from `zcplatform bootstrap`.
final class BenchmarkCluster: Sendable {
    let zcplatform: String
    let agent: String
    let url: String
    let directory: String
    let ports: [String: Int]
    let processes = Mutex<[String: Process]>([:])
    let token = Mutex<String>("")
    let client: HTTPClient

    init(zcplatform: String, agent: String, url: String) throws {
        self.zcplatform = zcplatform
        self.agent = agent
        self.url = url
        directory = NSTemporaryDirectory() + "zcbench-cluster-\(getpid())"
        ports = ["n1": 18_711, "n2": 18_712, "n3": 18_713]
        client = try HTTPClient(configuration: HTTPClientConfiguration(readTimeout: .seconds(60)))
    }

    func host(_ node: String) -> String { "127.0.0.1\(node.dropFirst())" }

    func environment(_ node: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ZCPLATFORM_") }
        let index = Int(node.dropFirst()) ?? 0
        for (key, value) in [
            "ZCPLATFORM_STORE_DRIVER": "postgres", "ZCPLATFORM_STORE_URL": url,
            "ZCPLATFORM_VAULT_KEY_PATH": "\(directory)/vault.key", "ZCPLATFORM_SERVER_HOST": host(node),
            "ZCPLATFORM_SERVER_PORT": String(ports[node] ?? 0), "ZCPLATFORM_CLUSTER_NODE_ID": node,
            "ZCPLATFORM_RUNTIME_DRIVER": "process", "ZCPLATFORM_RUNTIME_AGENT_COMMAND": agent,
            "ZCPLATFORM_RUNTIME_DATA_DIR": "\(directory)/\(node)/tenants",
            "ZCPLATFORM_RUNTIME_PORT_RANGE_START": String(32_000 + index * 100),
            "ZCPLATFORM_RUNTIME_PORT_RANGE_END": String(32_000 + index * 100 + 49),
            "ZCPLATFORM_SERVER_ACCESS_LOG": "false", "ZCPLATFORM_SERVER_LOG_LEVEL": "warning",
        ] {
            environment[key] = value
        }
        return environment
    }

    func start() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bootstrap = Process()
        bootstrap.executableURL = URL(fileURLWithPath: zcplatform)
        bootstrap.arguments = ["bootstrap", "--admin-email", "bench@example.com"]
        bootstrap.environment = environment("n1")
        bootstrap.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        bootstrap.standardOutput = output
        bootstrap.standardError = FileHandle.nullDevice
        try bootstrap.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        bootstrap.waitUntilExit()
        guard bootstrap.terminationStatus == 0, let token = printed.split(separator: "\n").last else {
            throw BenchmarkError("zcplatform bootstrap failed (status \(bootstrap.terminationStatus))")
        }
        self.token.withLock { $0 = String(token) }
        for node in ports.keys.sorted() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: zcplatform)
            process.arguments = ["serve"]
            process.environment = environment(node)
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            processes.withLock { $0[node] = process }
        }
        for node in ports.keys.sorted() {
            var answered = false
            for _ in 0..<300 where !answered {
                answered = (try? await call(node, .get, "/healthz").status) == .ok
                if !answered { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard answered else { throw BenchmarkError("node \(node) does not answer") }
        }
    }

    func call(
        _ node: String, _ method: HTTPMethod, _ target: String, body: String? = nil, client: HTTPClient? = nil
    ) async throws -> HTTPClientResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token.withLock { $0 })"]
        if body != nil { headers.add("Content-Type", "application/json") }
        return try await (client ?? self.client).execute(
            method, .tcp(host: host(node), port: ports[node] ?? 0), target, headers: headers,
            body: Array((body ?? "").utf8))
    }

    func json(_ node: String, _ target: String) async throws -> [String: Any] {
        let response = try await call(node, .get, target)
        return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// Creates tenant `id`, deploys it on `node` and waits until it runs.
    func deploy(_ id: String, on node: String) async throws {
        _ = try await call(node, .post, "/api/tenants", body: #"{"id":"\#(id)","name":"\#(id)"}"#)
        let deployed = try await call(node, .post, "/api/tenants/\(id)/deploy", body: #"{"node":"\#(node)"}"#)
        guard deployed.status.code == 202 else {
            throw BenchmarkError(
                "deploy answered \(deployed.status.code): \(String(decoding: deployed.body, as: UTF8.self))")
        }
        for _ in 0..<600 {
            if try await json(node, "/api/tenants/\(id)/status")["status"] as? String == "running" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("tenant \(id) did not start")
    }

    /// Replaces the tenant's `payload.bin` on `node` with `megabytes` of random bytes.
    func fill(_ node: String, tenant: String, megabytes: Int) throws {
        let path = "\(directory)/\(node)/tenants/\(tenant)/payload.bin"
        guard let random = FileHandle(forReadingAtPath: "/dev/urandom") else { throw BenchmarkError("no /dev/urandom") }
        let data = random.readData(ofLength: megabytes << 20)
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Asks for the move and waits until the target owns the tenant.
    func move(_ id: String, to target: String) async throws {
        let answer = try await call("n2", .post, "/api/tenants/\(id)/move", body: #"{"node":"\#(target)"}"#)
        guard answer.status.code == 202 else {
            throw BenchmarkError("move answered \(answer.status.code): \(String(decoding: answer.body, as: UTF8.self))")
        }
        for _ in 0..<6000 {
            let tenant = try await json("n2", "/api/tenants/\(id)")
            if tenant["node_id"] as? String == target, tenant["moving_to"] == nil { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchmarkError("the move of \(id) to \(target) did not finish")
    }

    func waitRunning(_ id: String, on node: String) async throws {
        for _ in 0..<6000 {
            if try await json(node, "/api/tenants/\(id)/status")["status"] as? String == "running" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchmarkError("\(id) does not run on \(node)")
    }

    func leader(asking node: String) async throws -> String {
        for _ in 0..<300 {
            if let leader = (try await json(node, "/api/cluster/nodes")["leader"] as? [String: Any])?["node"] as? String
            {
                return leader
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("no node leads")
    }

    func kill(_ node: String) {
        guard let process = processes.withLock({ $0.removeValue(forKey: node) }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        let all = processes.withLock { processes in
            defer { processes.removeAll() }
            return Array(processes.values)
        }
        for process in all { process.terminate() }
        for process in all { process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
