import Foundation
import ZCHTTP

/// `zcbench database-faults`: three `zcplatform serve` processes on 127.0.0.11–13 whose `store.url` names
/// a PostgreSQL primary and its synchronous standby (libpq's multi-host form,
/// `target_session_attrs=read-write`), both servers of the benchmark's own started by `.ci/postgres`.
/// Measured as an operator sees it, with the default heartbeat and pool settings:
/// - `pg_ctl restart -m fast` of the primary: when the server is back, and when every node has taken a
///   write again (a create through each node answered 201);
/// - the primary crashed (`-m immediate`) and the standby promoted 2 s later (a failover manager's
///   detection): when every node has taken a write on the new primary, counted from the promotion.
/// Between the two, what the nodes answered (201, 503 with Retry-After, anything else).
struct DatabaseFaultBenchmark {
    var script = "\(FileManager.default.currentDirectoryPath)/.ci/postgres"
    var zcplatform = ClusterBenchmark.sibling("zcplatform")
    var agent = ClusterBenchmark.sibling("zcagent-sim")
    var ports = (primary: 56_201, standby: 56_202)

    func run() async throws {
        for (binary, product) in [(zcplatform, "zcplatform"), (agent, "zcagent-sim")]
        where !FileManager.default.isExecutableFile(atPath: binary) {
            throw BenchmarkError("no \(product) at \(binary): swift build -c release --product \(product)")
        }
        guard FileManager.default.isReadableFile(atPath: script) else {
            throw BenchmarkError("no .ci/postgres at \(script): run from the repository, or pass --ci-postgres PATH")
        }
        let directory = NSTemporaryDirectory() + "zcbench-database-faults-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        let primary = Server(script: script, directory: "\(directory)/primary", port: ports.primary)
        let standby = Server(script: script, directory: "\(directory)/standby", port: ports.standby)
        defer {
            try? standby.run("stop")
            try? primary.run("stop")
            try? FileManager.default.removeItem(atPath: directory)
        }
        try primary.run("start")
        try standby.run("standby", String(ports.primary))
        let url =
            "postgres://postgres@127.0.0.1:\(ports.primary),127.0.0.1:\(ports.standby)/zcplatform_test?target_session_attrs=read-write"
        let cluster = try BenchmarkCluster(zcplatform: zcplatform, agent: agent, url: url)
        do {
            try await measure(cluster, primary, standby)
        } catch {
            cluster.stop()
            throw error
        }
        cluster.stop()
    }

    private func measure(_ cluster: BenchmarkCluster, _ primary: Server, _ standby: Server) async throws {
        try await cluster.start()
        print("zcbench database-faults: 3 nodes on 127.0.0.11-13, a PostgreSQL primary and its synchronous standby")
        print("  store.url \(cluster.url)")
        let writes = Writes(cluster)
        guard try await writes.everyNode(within: 30) != nil else { throw BenchmarkError("the nodes take no write") }

        print("")
        print("pg_ctl restart -m fast of the primary (every session cut, the server back within a second):")
        let restarted = Clock.now()
        try primary.run("restart")
        let back = Clock.seconds(since: restarted)
        let restartWrites = try await writes.everyNode(within: 60).map { _ in Clock.seconds(since: restarted) }
        print("  server back after           \(seconds(back))")
        print(
            "  every node writing after    \(restartWrites.map(seconds) ?? "over 60 s")  (goal: a beat, 5 s, after the server)"
        )
        print("    (a commit on the restarted primary waits for its synchronous standby to reconnect, which")
        print("    retries every wal_retrieve_retry_interval: 1 s here, as OPERATIONS.md advises; 5 s by default)")
        print("  answers meanwhile           \(writes.tally())")

        print("")
        print("the primary crashed (pg_ctl stop -m immediate), the standby promoted 2 s later:")
        writes.reset()
        let crashed = Clock.now()
        try primary.run("crash")
        // The 2 s a failover manager takes to decide: the nodes asked meanwhile, none can write.
        _ = try await writes.everyNode(within: 2)
        try standby.run("promote")
        let promoted = Clock.seconds(since: crashed)
        let failoverWrites = try await writes.everyNode(within: 60).map { _ in Clock.seconds(since: crashed) }
        print("  standby promoted after      \(seconds(promoted))")
        print(
            "  every node writing after    \(failoverWrites.map(seconds) ?? "over 60 s") (\(failoverWrites.map { seconds($0 - promoted) } ?? "-") after the promotion)  (goal: a beat, 5 s, after it)"
        )
        print("  answers meanwhile           \(writes.tally())")
    }

    private func seconds(_ value: Double) -> String { Format.number(value, decimals: 2) + " s" }

    /// One of the benchmark's PostgreSQL servers, driven by `.ci/postgres` with its port.
    struct Server {
        let script: String
        let directory: String
        let port: Int

        func run(_ command: String, _ arguments: String...) throws {
            let log = "\(directory).\(command).log"
            // Through the shell and waitpid, output to a file: the server the script starts keeps the
            // descriptors it inherits, and Foundation's Process waits on those.
            let words = [script, command, directory] + arguments
            let line =
                "ZC_PG_PORT=\(port) /bin/bash " + words.map { "'\($0)'" }.joined(separator: " ") + " >'\(log)' 2>&1"
            let status = system(line)
            guard status == 0 else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw BenchmarkError(".ci/postgres \(command) failed (\(status)): \(text)")
            }
        }
    }
}

/// Creates through each node until each has answered 201, counting every answer.
final class Writes {
    private let cluster: BenchmarkCluster
    private var answers: [String: Int] = [:]
    private var next = 0
    /// The longest a create took to be answered, in seconds.
    private(set) var slowest = 0.0

    init(_ cluster: BenchmarkCluster) { self.cluster = cluster }

    func reset() {
        answers = [:]
        slowest = 0
    }

    func tally() -> String {
        answers.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            + "; the slowest answer took \(Format.number(slowest, decimals: 2)) s"
    }

    /// Seconds until a create through every node has answered 201 (each node tried every 50 ms), nil
    /// when one has not within `limit` seconds (a request in flight then is still answered).
    func everyNode(within limit: Double) async throws -> Double? {
        let started = Clock.now()
        var waiting = Set(["n1", "n2", "n3"])
        while !waiting.isEmpty {
            guard Clock.seconds(since: started) < limit else { return nil }
            for node in waiting.sorted() {
                next += 1
                let id = "fault-\(node)-\(next)"
                let outcome: String
                let asked = Clock.now()
                defer { slowest = max(slowest, Clock.seconds(since: asked)) }
                do {
                    let answer = try await cluster.call(
                        node, .post, "/api/tenants", body: #"{"id":"\#(id)","name":"\#(id)"}"#)
                    outcome =
                        answer.status.code == 503 && answer.headers["Retry-After"] != nil
                        ? "503 Retry-After" : String(answer.status.code)
                } catch {
                    outcome = "no answer"
                }
                answers[outcome, default: 0] += 1
                if outcome == "201" { waiting.remove(node) }
            }
            if !waiting.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        return Clock.seconds(since: started)
    }
}
