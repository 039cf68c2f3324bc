import Foundation
import PostgresStore
import ZCHTTP

/// `zcbench cluster`: three `zcplatform serve` processes on 127.0.0.11–13 sharing one PostgreSQL schema,
/// measured as an operator sees them:
/// - forwarding: a tenant's status asked of its own node and of another node, interleaved in one run
///   (p50, p99, and what forwarding adds);
/// - the leader killed with SIGKILL: how long until another node leads, and until the dead node is `down`,
///   with the default lease (15 s, renewed every 5 s) and down time (heartbeat 5 s, grace 20 s);
/// - then, on PostgreSQL servers of its own (`zcbench database-faults`, skipped by `--no-database-faults`):
///   the time to carry on after a PostgreSQL restart and after a failover.
struct ClusterBenchmark {
    var postgresURL: String?
    var zcplatform = Self.sibling("zcplatform")
    var agent = Self.sibling("zcagent-sim")
    var requests = 2000
    var keep = false
    var databaseFaults: DatabaseFaultBenchmark? = DatabaseFaultBenchmark()

    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    func run() async throws {
        guard let postgresURL else { throw BenchmarkError("zcbench cluster needs --postgres URL") }
        for (binary, product) in [(zcplatform, "zcplatform"), (agent, "zcagent-sim")]
        where !FileManager.default.isExecutableFile(atPath: binary) {
            throw BenchmarkError("no \(product) at \(binary): swift build -c release --product \(product)")
        }
        let schema = "zcbench_cluster"
        let admin = PostgresStore(options: PostgresOptions(url: postgresURL, poolSize: 1), logger: .disabled)
        try await admin.sqlStore.database.withConnection(write: true) {
            try await $0.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE; CREATE SCHEMA \(schema)")
        }
        let separator = postgresURL.contains("?") ? "&" : "?"
        let cluster = try BenchmarkCluster(
            zcplatform: zcplatform, agent: agent,
            url: postgresURL + separator + "options=-csearch_path%3D\(schema)")
        do {
            try await measure(cluster)
        } catch {
            cluster.stop()
            throw error
        }
        cluster.stop()
        if !keep {
            try await admin.sqlStore.database.withConnection(write: true) {
                try await $0.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE")
            }
        }
        await admin.close()
        if var databaseFaults {
            databaseFaults.zcplatform = zcplatform
            databaseFaults.agent = agent
            print("")
            try await databaseFaults.run()
        }
    }

    private func measure(_ cluster: BenchmarkCluster) async throws {
        try await cluster.start()
        print("zcbench cluster: 3 nodes on 127.0.0.11-13, PostgreSQL, process runtime")
        try await cluster.deploy("bench", on: "n1")

        // Forwarding: the same request of the owner and of a node that forwards it, alternated.
        let direct = try HTTPClient(configuration: HTTPClientConfiguration(maxIdlePerEndpoint: 1))
        let forwarded = try HTTPClient(configuration: HTTPClientConfiguration(maxIdlePerEndpoint: 1))
        var ownSamples = Samples()
        var forwardedSamples = Samples()
        for round in 0..<(requests + 200) {
            let (ownStatus, own) = try await Clock.measure {
                try await cluster.call("n1", .get, "/api/tenants/bench/status", client: direct).status
            }
            let (viaStatus, via) = try await Clock.measure {
                try await cluster.call("n2", .get, "/api/tenants/bench/status", client: forwarded).status
            }
            guard ownStatus == .ok, viaStatus == .ok else {
                throw BenchmarkError("status answered \(ownStatus.code) direct, \(viaStatus.code) forwarded")
            }
            guard round >= 200 else { continue }  // warm-up
            ownSamples.add(own)
            forwardedSamples.add(via)
        }
        await direct.shutdown()
        await forwarded.shutdown()
        func ms(_ seconds: Double) -> String { Format.number(seconds * 1000, decimals: 3) + " ms" }
        print("")
        print("forwarding: GET /api/tenants/{id}/status, \(requests) requests each, alternated, keep-alive")
        print("  owner (n1)         p50 \(ms(ownSamples.percentile(50)))  p99 \(ms(ownSamples.percentile(99)))")
        print(
            "  through n2         p50 \(ms(forwardedSamples.percentile(50)))  p99 \(ms(forwardedSamples.percentile(99)))"
        )
        print(
            "  added by the hop   p50 \(ms(forwardedSamples.percentile(50) - ownSamples.percentile(50)))  p99 \(ms(forwardedSamples.percentile(99) - ownSamples.percentile(99)))  (ratio p50 \(Format.number(forwardedSamples.percentile(50) / ownSamples.percentile(50), decimals: 2))×)"
        )

        // Moves: a tenant with 10 MB, then 100 MB of incompressible data, from n1 to n3 and back.
        print("")
        print("moves: a running tenant's directory of random bytes, n1 → n3, until it runs on n3")
        try await cluster.deploy("mover", on: "n1")
        for megabytes in [10, 100] {
            try cluster.fill("n1", tenant: "mover", megabytes: megabytes)
            let started = Clock.now()
            try await cluster.move("mover", to: "n3")
            let flipped = Clock.seconds(since: started)
            try await cluster.waitRunning("mover", on: "n3")
            let running = Clock.seconds(since: started)
            print(
                "  \(megabytes) MB: owner flipped after \(Format.number(flipped, decimals: 2)) s, running on n3 after \(Format.number(running, decimals: 2)) s"
            )
            try await cluster.move("mover", to: "n1")
            try await cluster.waitRunning("mover", on: "n1")
        }

        // The leader killed: a new leader, and the dead node marked down, as the survivors see it.
        let leader = try await cluster.leader(asking: "n1")
        let survivor = leader == "n1" ? "n2" : "n1"
        let killed = Clock.now()
        cluster.kill(leader)
        var newLeader: Double?
        var down: Double?
        while newLeader == nil || down == nil, Clock.seconds(since: killed) < 120 {
            let nodes = try await cluster.json(survivor, "/api/cluster/nodes")
            let leading = (nodes["leader"] as? [String: Any])?["node"] as? String
            if newLeader == nil, let leading, leading != leader { newLeader = Clock.seconds(since: killed) }
            let state = (nodes["nodes"] as? [[String: Any]])?.first { $0["id"] as? String == leader }?["state"]
            if down == nil, state as? String == "down" { down = Clock.seconds(since: killed) }
            try await Task.sleep(for: .milliseconds(100))
        }
        print("")
        print("the leader (\(leader)) killed with SIGKILL, default lease 15 s / renew 5 s, heartbeat 5 s, grace 20 s:")
        print(
            "  new leader after   \(newLeader.map { Format.number($0, decimals: 1) + " s" } ?? "over 120 s")  (goal ≤ 20 s)"
        )
        print(
            "  marked down after  \(down.map { Format.number($0, decimals: 1) + " s" } ?? "over 120 s")  (goal ≤ 30 s)")
    }
}
