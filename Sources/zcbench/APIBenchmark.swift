import Foundation
import ZCCore
import ZCPlatform

/// `zcbench api`: the real `zcplatform serve` (default configuration, SQLite) holding N tenants, loaded
/// by wrk as an operator would, in one run: `/healthz`; an authenticated tenant read and a tenant write
/// (`PATCH /config`) with a tenant owner's token; the fleet, health and dashboard views with a
/// super-admin's; the access log on and off (two servers, each with its own copy of the fleet); and a
/// Hummingbird 2 server (built outside the repo) on the same static `/healthz`. Rounds alternate so that
/// every figure sees the same machine; it prints every round, the medians and the ratios.
struct APIBenchmark {
    var tenants = 10_000
    var hummingbird: String?
    /// `zcplatform`; by default the one built beside this `zcbench`.
    var zcplatform: String?
    var connections = 32
    var seconds = 5
    var rounds = 3
    /// Seed, start the servers, print their ports and tokens, and wait to be interrupted instead of
    /// measuring: for a profiler (`perf record -p`) or a hand-run `wrk` against the same fleet.
    var hold = false

    struct Server {
        let name: String
        let process: Process
        let port: Int
        let log: LogPipeReader?
    }

    struct Target {
        let name: String
        let port: Int
        let path: String
        /// Views are timed one request at a time (their latency is the figure); the rest under load.
        let connections: Int
        var headers: [String] = []
        var script: String?
    }

    func run() async throws {
        let wrk = try Wrk()
        let root = NSTemporaryDirectory() + "zcbench-api-\(getpid())"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let binary = zcplatform ?? Self.sibling("zcplatform")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchmarkError("no zcplatform at \(binary) (swift build -c release, or --zcplatform PATH)")
        }
        print("zcbench api: \(Format.number(Double(tenants))) tenants (SQLite), zcplatform serve defaults; seeding…")
        let (on, tokens) = try await serve("serve, access log on", port: 18_100, accessLog: true, root: root, binary)
        let (off, _) = try await serve("serve, access log off", port: 18_101, accessLog: false, root: root, binary)
        var servers = [on, off]
        if let hummingbird {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: hummingbird)
            process.arguments = ["18102"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            servers.append(Server(name: "Hummingbird 2", process: process, port: 18_102, log: nil))
        }
        defer { for server in servers where server.process.isRunning { server.process.terminate() } }
        for server in servers { try await Wrk.waitUntilServing(server.port) }

        let owner = "Authorization: Bearer \(tokens.owner)"
        let admin = "Authorization: Bearer \(tokens.admin)"
        if hold {
            print("holding: access log on at 127.0.0.1:\(on.port), off at 127.0.0.1:\(off.port)")
            print("owner of tenant-00000: \(owner)")
            print("super-admin: \(admin)")
            print("interrupt (Ctrl-C) to stop")
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
        let patch = "\(root)/patch.lua"
        try """
        wrk.method = "PATCH"
        wrk.body = '{"settings":{"bench":{"round":1}}}'
        wrk.headers["Content-Type"] = "application/json"
        """.write(toFile: patch, atomically: true, encoding: .utf8)
        var targets = [
            Target(name: "/healthz, access log on", port: on.port, path: "/healthz", connections: connections),
            Target(name: "/healthz, access log off", port: off.port, path: "/healthz", connections: connections),
        ]
        if hummingbird != nil {
            targets.append(
                Target(name: "Hummingbird 2 /healthz", port: 18_102, path: "/healthz", connections: connections))
        }
        targets += [
            Target(
                name: "GET /api/tenants/{id}, owner", port: on.port, path: "/api/tenants/tenant-00000",
                connections: connections, headers: [owner]),
            Target(
                name: "PATCH /api/tenants/{id}/config", port: on.port, path: "/api/tenants/tenant-00000/config",
                connections: connections, headers: [owner], script: patch),
            Target(
                name: "GET /api/fleet, one at a time", port: on.port, path: "/api/fleet", connections: 1,
                headers: [admin]),
            Target(
                name: "GET /api/monitoring/health, one", port: on.port, path: "/api/monitoring/health", connections: 1,
                headers: [admin]),
            Target(
                name: "GET /api/monitoring/dashboard, one", port: on.port, path: "/api/monitoring/dashboard",
                connections: 1, headers: [admin]),
        ]
        for target in targets {  // warm-up
            _ = try wrk.run(
                "http://127.0.0.1:\(target.port)\(target.path)", connections: target.connections, seconds: 1,
                headers: target.headers, script: target.script)
        }
        print(
            "wrk -t1 -c\(connections) -d\(seconds)s --latency on loopback with keep-alive (views: -c1); \(rounds) rounds, alternating"
        )
        let width = 36
        var results = [String: [Wrk.Round]]()
        for round in 1...rounds {
            for target in targets {
                let result = try wrk.run(
                    "http://127.0.0.1:\(target.port)\(target.path)", connections: target.connections,
                    seconds: seconds, headers: target.headers, script: target.script)
                results[target.name, default: []].append(result)
                print(
                    "  round \(round) \(target.name.padding(toLength: width, withPad: " ", startingAt: 0)) "
                        + "\(Format.number(result.requestsPerSecond)) req/s  p50 \(Format.ms(result.p50))  p99 \(Format.ms(result.p99))"
                        + (result.errors.map { "  \($0)" } ?? ""))
            }
        }
        // The fleet view is kept while nothing changed; after a write it is read and written again.
        let afterWrites = try Self.fleetAfterWrites(port: on.port, admin: admin, owner: owner, count: 15)
        print(
            "  GET /api/fleet after a write (15 times): p50 \(Format.ms(Wrk.median(afterWrites)))  "
                + "max \(Format.ms(afterWrites.max() ?? .nan))")
        print("")
        func rate(_ name: String) -> Double { Wrk.median(results[name]?.map(\.requestsPerSecond) ?? []) }
        func p50(_ name: String) -> Double { Wrk.median(results[name]?.map(\.p50) ?? []) }
        for target in targets {
            print(
                "\(target.name.padding(toLength: width, withPad: " ", startingAt: 0)) median "
                    + "\(Format.number(rate(target.name))) req/s, p50 \(Format.ms(p50(target.name)))")
        }
        for (path, label) in [
            ("/api/fleet", "fleet"), ("/api/monitoring/health", "health"), ("/api/monitoring/dashboard", "dashboard"),
        ] {
            let bytes = try Self.bodyBytes("http://127.0.0.1:\(on.port)\(path)", header: admin)
            print(
                "\(label) body: \(Format.number(Double(bytes) / 1_048_576, decimals: 2)) MiB (\(Format.number(Double(bytes))) B)"
            )
        }
        let healthz = rate("/healthz, access log on")
        print("")
        print(
            "ratio tenant read / /healthz (same server): \(Format.number(rate("GET /api/tenants/{id}, owner") / healthz, decimals: 2))×  (goal ≥ 0.5×, and ≥ 20,000 req/s)"
        )
        // Each round measures the two servers one after the other: the median of the rounds' own ratios
        // is steadier than the ratio of the medians on a machine whose speed drifts.
        let paired = zip(results["/healthz, access log on"] ?? [], results["/healthz, access log off"] ?? []).map {
            1 - $0.requestsPerSecond / $1.requestsPerSecond
        }
        print(
            "access log cost on /healthz: \(Format.number((1 - healthz / rate("/healthz, access log off")) * 100, decimals: 1)) %"
                + " (medians), \(Format.number(Wrk.median(paired) * 100, decimals: 1)) % (median of the rounds' own)"
                + "  (goal ≤ 10 %)"
        )
        if hummingbird != nil {
            print(
                "ratio serve defaults / Hummingbird 2 on /healthz: \(Format.number(healthz / rate("Hummingbird 2 /healthz"), decimals: 2))×  (goal ≥ 1.2×)"
            )
        }
        print(
            "views one at a time, p50: fleet \(Format.ms(p50("GET /api/fleet, one at a time"))) (goal ≤ 25 ms; "
                + "after a write \(Format.ms(Wrk.median(afterWrites)))), "
                + "health \(Format.ms(p50("GET /api/monitoring/health, one"))) (goal ≤ 50 ms), "
                + "dashboard \(Format.ms(p50("GET /api/monitoring/dashboard, one")))")
        for server in servers where server.log != nil {
            server.process.terminate()
            server.process.waitUntilExit()
            guard let (lines, bytes) = server.log?.totals() else { continue }
            print(
                "\(server.name) wrote \(Format.number(Double(lines))) log lines (\(Format.number(Double(bytes) / 1_048_576, decimals: 1)) MiB)"
            )
        }
    }

    /// A directory with its own store holding the fleet, and `zcplatform serve` on it.
    private func serve(
        _ name: String, port: Int, accessLog: Bool, root: String, _ binary: String
    ) async throws -> (Server, (admin: String, owner: String)) {
        let directory = "\(root)/\(port)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let environment = [
            "ZCPLATFORM_STORE_PATH": "\(directory)/zcplatform.db",
            "ZCPLATFORM_VAULT_KEY_PATH": "\(directory)/vault.key",
            "ZCPLATFORM_RUNTIME_DATA_DIR": "\(directory)/tenants", "ZCPLATFORM_SERVER_PORT": String(port),
            "ZCPLATFORM_SERVER_HOST": "127.0.0.1", "ZCPLATFORM_RUNTIME_DRIVER": "process",
            "ZCPLATFORM_CLUSTER_MEMORY_CAPACITY": "1024GiB", "ZCPLATFORM_SERVER_ACCESS_LOG": String(accessLog),
        ]
        let configuration = try ConfigurationLoader.load(
            explicitPath: nil, environment: environment, context: .detect(), workingDirectory: directory)
        let platform = try await Platform.open(configuration, logger: .disabled)
        // Stopped: the process runtime is not asked to run 10,000 agents; every view still reads them all.
        let admin = try await BenchmarkFleet.seed(
            platform.store, node: configuration.cluster.nodeID, tenants: tenants, status: .stopped)
        let owner = try await BenchmarkFleet.owner(of: try TenantID("tenant-00000"), in: platform.store)
        await platform.close()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let log = LogPipeReader()
        process.standardError = log.pipe
        try process.run()
        return (Server(name: name, process: process, port: port, log: log), (admin.value, owner.value))
    }

    /// The size of one answer's body, read with curl.
    private static func bodyBytes(_ url: String, header: String) throws -> Int {
        Int(try curl(["-s", "-o", "/dev/null", "-w", "%{size_download}", "-H", header, url])) ?? 0
    }

    /// `GET /api/fleet` right after a write, `count` times: the view read and written again each time
    /// (what a console sees once per collection cycle), its seconds each.
    private static func fleetAfterWrites(port: Int, admin: String, owner: String, count: Int) throws -> [Double] {
        var times: [Double] = []
        for round in 0..<count {
            _ = try curl([
                "-s", "-o", "/dev/null", "-X", "PATCH", "-H", owner, "-H", "Content-Type: application/json",
                "--data", #"{"settings":{"bench":{"write":\#(round)}}}"#,
                "http://127.0.0.1:\(port)/api/tenants/tenant-00000/config",
            ])
            let seconds = try curl([
                "-s", "-o", "/dev/null", "-w", "%{time_total}", "-H", admin, "http://127.0.0.1:\(port)/api/fleet",
            ])
            times.append(Double(seconds) ?? .nan)
        }
        return times
    }

    private static func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output
    }

    /// A program built beside this one.
    static func sibling(_ name: String) -> String {
        let me =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
