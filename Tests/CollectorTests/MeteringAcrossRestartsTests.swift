import Foundation
import PostgresStore
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import UsageCollector

/// Metering that loses nothing: a real agent simulator counting messages and tokens, scraped by usage
/// collectors that come and go (each a platform restart: nothing in memory, the same store), the agent
/// restarted once while no collector ran. At the end, with the agent's traffic stopped, the usage metered
/// equals the agent's own counters exactly, on both stores.
@Suite("Usage metered across restarts")
struct MeteringAcrossRestartsTests {
    enum Kind: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    /// A running agent simulator on `port`, counting from zero.
    final class Agent: Sendable {
        let child: ChildProcess
        let port: Int

        init(port: Int, home: String) throws {
            self.port = port
            child = try ChildProcess(
                [AgentSimulator.executable, "daemon"],
                environment: [
                    "HOME": home, "ZEROCLAW_gateway__port": String(port), "ZEROCLAW_gateway__host": "127.0.0.1",
                    "ZEROCLAW_observability__backend": "prometheus", "PATH": "/usr/bin:/bin",
                ], stderrFile: "/dev/null")
        }

        func stop() async {
            let child = self.child
            child.signal(SIGKILL)
            _ = try? await Blocking.run { child.wait() }
        }

        func call(_ method: HTTPMethod, _ path: String, _ body: String = "") async throws -> HTTPClientResponse {
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            return try await client.execute(
                method, .tcp(host: "127.0.0.1", port: port), path, body: Array(body.utf8), timeout: .seconds(5))
        }

        func waitReady() async throws {
            for _ in 0..<200 {
                if (try? await call(.get, "/health"))?.status == .ok { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            throw ContainerRuntimeError.timedOut("the simulator did not answer")
        }

        /// The agent's own totals: messages (inbound), input tokens, output tokens.
        func totals() async throws -> [Int64] {
            let exposition = try PrometheusTextParser.parse(try await call(.get, "/metrics").body)
            func value(_ name: String, _ labels: [String: String]) -> Int64 {
                Int64(
                    exposition.samples.filter { sample in
                        sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
                    }.reduce(0) { $0 + $1.value })
            }
            return [
                value("zeroclaw_messages_total", [:]), value("zeroclaw_tokens_total", ["direction": "input"]),
                value("zeroclaw_tokens_total", ["direction": "output"]),
            ]
        }
    }

    static func store(_ kind: Kind, _ directory: TemporaryDirectory) throws -> (any Store, String?)? {
        switch kind {
        case .sqlite:
            return (
                try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled), nil
            )
        case .postgres:
            guard PostgresTestDatabase.shouldRun else {
                print("MeteringAcrossRestartsTests on PostgreSQL: \(PostgresTestDatabase.skipMessage)")
                return nil
            }
            let (schema, url) = try PostgresTestDatabase.makeSchema()
            return (PostgresStore(options: PostgresTestDatabase.options(url), logger: .disabled), schema)
        }
    }

    static func collector(_ store: any Store, board: HealthBoard = HealthBoard()) throws -> UsageCollector {
        try UsageCollector(
            store: store,
            settings: UsageCollector.Settings(
                nodeID: "n1", interval: .seconds(300), concurrency: 32, timeout: .seconds(10),
                messages: [try PrometheusSelector(parsing: "zeroclaw_messages_total")],
                tokensIn: [try PrometheusSelector(parsing: "zeroclaw_tokens_total{direction=\"input\"}")],
                tokensOut: [try PrometheusSelector(parsing: "zeroclaw_tokens_total{direction=\"output\"}")],
                gapHorizon: .seconds(3600)),
            board: board, metrics: MetricsRegistry(), logger: .disabled)
    }

    @Test(
        "six restarts of the collector, the agent restarted once meanwhile: metered == counted",
        arguments: Kind.allCases)
    func exact(_ kind: Kind) async throws {
        let directory = try TemporaryDirectory("zc-metering")
        defer { directory.remove() }
        guard let (store, schema) = try Self.store(kind, directory) else { return }
        defer { if let schema { PostgresTestDatabase.dropSchema(schema) } }
        try await store.migrate()
        let port = FreePort.next()
        let id = TenantID(trusted: "acme")
        // The first collector starts before the agent, as a platform deploys after it starts.
        var collector = try Self.collector(store)
        var agent = try Agent(port: port, home: directory.path)
        try await agent.waitReady()
        try await store.withTransaction { transaction in
            try await transaction.insertTenant(
                Tenant(
                    id: id, name: "Acme", plan: "default", status: .running, nodeID: "n1", hostPort: port, uid: 1,
                    createdAt: .now(), startedAt: .now()))
        }
        var counted: [Int64] = [0, 0, 0]
        for round in 1...6 {
            _ = try await collector.collect()
            try await Task.sleep(for: .milliseconds(1200))
            if round == 3 {
                // The agent restarts while the platform is down: its counters begin again at zero. (What an
                // agent counts between the last scrape and a restart no one saw is unknowable; here it
                // restarts right after a scrape, so there is none.)
                try await agent.call(.post, "/sim/traffic", "off")
                _ = try await collector.collect()
                await collector.shutdown()
                counted = zip(counted, try await agent.totals()).map { $0 + $1 }
                await agent.stop()
                agent = try Agent(port: port, home: directory.path)
                try await agent.waitReady()
            } else {
                _ = try await collector.collect()
                await collector.shutdown()
            }
            // The agent counts while no collector watches: the platform is down.
            try await Task.sleep(for: .milliseconds(1200))
            collector = try Self.collector(store)
        }
        _ = try await collector.collect()
        try await agent.call(.post, "/sim/traffic", "off")
        let last = try await agent.totals()
        _ = try await collector.collect()
        await collector.shutdown()
        counted = zip(counted, last).map { $0 + $1 }
        let metered = try await store.read { reader in
            try await reader.usageTotals(from: Timestamp(seconds: 0), to: Timestamp.now().adding(seconds: 7200))
        }.first
        #expect(counted[0] > 10, "the agent did count: \(counted)")
        #expect(
            [metered?.messages ?? -1, metered?.tokensIn ?? -1, metered?.tokensOut ?? -1] == counted,
            "metered \(String(describing: metered)) vs the agent's own \(counted)")
        print(
            "metering exactness (\(kind.rawValue)): 6 restarts, agent restarted once; agent counted \(counted), metered \([metered?.messages ?? -1, metered?.tokensIn ?? -1, metered?.tokensOut ?? -1])"
        )
        await agent.stop()
        await store.close()
    }
}
