import Foundation
import Synchronization
import TestSupport
import Testing
import ZCHTTP

/// Clients creating tenants through every node of a cluster until stopped, as the database-fault tests
/// run them: each acknowledged create is recorded with the invariant checker, and every answer is
/// tallied by outcome (`201`, `503` with Retry-After, or what else came back).
final class CreateLoad: Sendable {
    let outcomes = Mutex<[String: Int]>([:])
    private let stopped = Atomic<Bool>(false)
    private let clients = Mutex<[Task<Void, Never>]>([])

    /// Starts one client per node.
    static func start(_ cluster: TestCluster, _ invariants: ClusterInvariants, nodes: [String]) -> CreateLoad {
        let load = CreateLoad()
        let tasks = nodes.map { node in
            Task { await load.create(through: node, cluster, invariants) }
        }
        load.clients.withLock { $0 = tasks }
        return load
    }

    private func create(through node: String, _ cluster: TestCluster, _ invariants: ClusterInvariants) async {
        var index = 0
        while !stopped.load(ordering: .acquiring) {
            let id = "load-\(node)-\(index)"
            index += 1
            let outcome = await Self.outcome(of: id, through: node, cluster, invariants)
            outcomes.withLock { $0[outcome, default: 0] += 1 }
            if outcome != "201" { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }

    private static func outcome(
        of id: String, through node: String, _ cluster: TestCluster, _ invariants: ClusterInvariants
    ) async -> String {
        do {
            let answer = try await cluster.call(node, .post, "/api/tenants", json: #"{"id":"\#(id)","name":"\#(id)"}"#)
            switch answer.status.code {
            case 201:
                invariants.acknowledged(id)
                return "201"
            case 503:
                return answer.headers["Retry-After"] == nil ? "503 without Retry-After" : "503"
            default:
                return "\(answer.status.code): \(String(decoding: answer.body, as: UTF8.self))"
            }
        } catch {
            return "no answer: \(error)"
        }
    }

    /// Stops the clients and waits for each one's request in flight; expects that creates went on and
    /// that every answer was a 201 or a 503 with Retry-After (never a 500, a hang or no answer); answers
    /// what they saw.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) async -> [String: Int] {
        stopped.store(true, ordering: .releasing)
        for client in clients.withLock({ $0 }) { await client.value }
        let seen = outcomes.withLock { $0 }
        #expect((seen["201"] ?? 0) > 20, "creates went on: \(seen)", sourceLocation: sourceLocation)
        #expect(
            seen.keys.allSatisfy { $0 == "201" || $0 == "503" }, "only 201s and 503s with Retry-After: \(seen)",
            sourceLocation: sourceLocation)
        return seen
    }
}

extension TestCluster {
    /// Waits until every node's `/readyz` answers 200; whether they all did within `timeout`.
    func allReady(within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var all = true
            for member in members {
                let answer = try? await client.execute(.get, member.base, "/readyz", timeout: .seconds(2))
                all = all && answer?.status == .ok
            }
            if all { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Waits until `GET /api/cluster/nodes` shows every node active.
    func allActive(within timeout: Duration) async throws -> Bool {
        let count = members.count
        return try await waitUntil(timeout) {
            let nodes = try await self.json("n1", .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
            return nodes.count == count && nodes.allSatisfy { $0["state"] as? String == "active" }
        }
    }
}
