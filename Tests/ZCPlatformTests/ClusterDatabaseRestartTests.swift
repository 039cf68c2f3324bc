import Foundation
import PostgresStore
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// PostgreSQL restarted under load: clients create tenants through every node while the server restarts
/// (`pg_ctl restart -m fast`). Every acknowledged create is in the database, every answer meanwhile is a
/// 201 or a 503 that says when to retry (never a 500, never a hang), and every node is back, ready and not
/// fenced, within a beat of the server. Part of the cluster suite, which runs one cluster at a time; the
/// server is the test's own, so the other suites' server never stops.
extension ClusterTests {
    @Test(
        "pg_ctl restart -m fast while clients create tenants through three nodes: every 201 kept, only 201s and 503s with Retry-After, every node back"
    )
    func databaseRestartUnderCreates() async throws {
        guard PrivatePostgres.available || ProcessInfo.processInfo.environment["CI"] == "true" else { return }
        let postgres = try await PrivatePostgres()
        do {
            try await restartUnderCreates(postgres)
        } catch {
            await postgres.remove()
            throw error
        }
        await postgres.remove()
    }

    func restartUnderCreates(_ postgres: PrivatePostgres) async throws {
        let cluster = try await TestCluster.start(3, postgres: postgres.url)
        let invariants = ClusterInvariants(root: cluster.directory.path)
        let tally = LoadTally()
        try await cluster.scoped {
            let clients = ["n1", "n2", "n3"].map { node in
                Task {
                    var index = 0
                    while !tally.stop.load(ordering: .acquiring) {
                        let id = "load-\(node)-\(index)"
                        index += 1
                        let outcome: String
                        do {
                            let answer = try await cluster.call(
                                node, .post, "/api/tenants", json: #"{"id":"\#(id)","name":"\#(id)"}"#)
                            switch answer.status.code {
                            case 201:
                                invariants.acknowledged(id)
                                outcome = "201"
                            case 503:
                                outcome = answer.headers["Retry-After"] == nil ? "503 without Retry-After" : "503"
                            default:
                                outcome = "\(answer.status.code): \(String(decoding: answer.body, as: UTF8.self))"
                            }
                        } catch {
                            outcome = "no answer: \(error)"
                        }
                        tally.outcomes.withLock { $0[outcome, default: 0] += 1 }
                        if outcome != "201" { try? await Task.sleep(for: .milliseconds(50)) }
                    }
                }
            }
            try await Task.sleep(for: .seconds(1))
            let restartedAt = ContinuousClock.now
            try await postgres.restart()
            let upAfter = ContinuousClock.now - restartedAt
            // Every node ready again within a beat or two of the server.
            var ready = false
            let readyBy = ContinuousClock.now + .seconds(10)
            while !ready, ContinuousClock.now < readyBy {
                var all = true
                for node in ["n1", "n2", "n3"] {
                    let answer = try? await cluster.client.execute(
                        .get, cluster.member(node).base, "/readyz", timeout: .seconds(2))
                    all = all && answer?.status == .ok
                }
                ready = all
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            let readyAfter = ContinuousClock.now - restartedAt
            #expect(ready, "every node ready again (the server was back after \(upAfter))")
            try await Task.sleep(for: .seconds(2))
            tally.stop.store(true, ordering: .releasing)
            for client in clients { await client.value }

            let seen = tally.outcomes.withLock { $0 }
            #expect((seen["201"] ?? 0) > 20, "creates went on: \(seen)")
            #expect(
                seen.keys.allSatisfy { $0 == "201" || $0 == "503" }, "only 201s and 503s with Retry-After: \(seen)")
            let store = PostgresStore(options: PostgresOptions(url: cluster.url), logger: .disabled)
            let present = Set(try await store.read { try await $0.tenants(.all) }.map(\.id.rawValue))
            await store.close()
            let missing = invariants.missing(from: present)
            #expect(missing.isEmpty, "acknowledged but absent: \(missing.prefix(5)) of \(missing.count)")
            for node in ["n1", "n2", "n3"] {
                #expect(!cluster.log(of: node).contains("event=node.fenced"), "\(node) never fenced")
            }
            #expect(
                try await waitUntil(.seconds(10)) {
                    let nodes =
                        try await cluster.json("n1", .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
                    return nodes.count == 3 && nodes.allSatisfy { $0["state"] as? String == "active" }
                }, "every node active")
            print("database restart: server back after \(upAfter), every node ready after \(readyAfter); \(seen)")
        }
    }
}

/// What the load's clients saw, by outcome, and the flag that stops them.
final class LoadTally: Sendable {
    let outcomes = Mutex<[String: Int]>([:])
    let stop = Atomic<Bool>(false)
}
