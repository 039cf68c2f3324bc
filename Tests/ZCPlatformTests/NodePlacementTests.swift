import Foundation
import PostgresStore
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// Where a deploy places a tenant that has no node: the rules on their own, then racing deploys on a
/// real PostgreSQL that must never overcommit a node.
@Suite("Node placement")
struct NodePlacementTests {
    static let gib: Int64 = 1 << 30
    static let plans = ["default": Plan.standard]  // 256 MiB

    static func node(_ id: String, _ state: Node.State = .active, capacity: Int64 = gib) -> Node {
        Node(
            id: id, address: "127.0.0.1:1", version: "test", startedAt: .now(), lastHeartbeat: .now(), state: state,
            memoryCapacity: capacity)
    }

    static func placement(_ strategy: NodePlacement.Strategy) -> NodePlacement {
        NodePlacement(strategy: strategy, plans: plans, me: node("n1"))
    }

    @Test("spread takes the most free memory, binpack the least that fits; draining, down and full nodes never")
    func ranking() {
        let nodes = [
            Self.node("n1"), Self.node("n2"), Self.node("n3", .draining), Self.node("n4", .down),
            Self.node("n5", capacity: 2 * Self.gib),
        ]
        let reserved: [String: Int64] = ["n1": 768 << 20, "n2": 256 << 20, "n5": 1_900 << 20]
        let need = Plan.standard.memoryBytes
        // Free: n1 256 MiB, n2 768 MiB, n5 148 MiB (too little).
        #expect(Self.placement(.spread).ranked(nodes, reserved: reserved, need: need).map(\.id) == ["n2", "n1"])
        #expect(Self.placement(.binpack).ranked(nodes, reserved: reserved, need: need).map(\.id) == ["n1", "n2"])
        // Equal room: the node id decides, so placement is deterministic.
        #expect(
            Self.placement(.spread).ranked([Self.node("b"), Self.node("a")], reserved: [:], need: need).map(\.id) == [
                "a", "b",
            ])
    }

    @Test(
        "a pin to an unknown node is a 404 listing the nodes; to a draining one and to a full cluster a 503 naming the shortage"
    )
    func refusals() async throws {
        try await Self.withStore { store in
            try await store.withTransaction { transaction in
                try await transaction.upsertNode(Self.node("n1", capacity: 300 << 20))
                try await transaction.upsertNode(Self.node("n2", .draining))
                try await transaction.upsertNode(Self.node("n3", .down))
            }
            let placement = Self.placement(.spread)
            await #expect {
                try await store.withTransaction { try await placement.place(plan: "default", pinned: "n9", in: $0) }
            } throws: { error in
                let error = error as? PlacementError
                return error?.failureKind == .notFound && error?.publicMessage.contains("n1, n2, n3") == true
            }
            await #expect {
                try await store.withTransaction { try await placement.place(plan: "default", pinned: "n2", in: $0) }
            } throws: { ($0 as? PlacementError)?.publicMessage == "node n2 is draining and takes no new tenants" }
            // One tenant fills n1 (300 MiB); the next finds no room anywhere, and is told why.
            let first = try await store.withTransaction {
                try await placement.place(plan: "default", pinned: nil, in: $0)
            }
            #expect(first == "n1")
            try await Self.placeTenant("first", on: first, in: store)
            await #expect {
                try await store.withTransaction { try await placement.place(plan: "default", pinned: nil, in: $0) }
            } throws: { error in
                guard let error = error as? PlacementError, error.failureKind == .unavailable else { return false }
                return error.publicMessage
                    == "no active node has 256 MiB free for a tenant of plan 'default': n1 has 44 MiB free of 300 MiB, n2 is draining, n3 is down"
            }
        }
    }

    @Test("twelve deploys racing for a node with room for four: four placed, eight refused, never overcommitted")
    func racing() async throws {
        try await Self.withStore { store in
            try await store.withTransaction { try await $0.upsertNode(Self.node("n1")) }
            let placement = Self.placement(.binpack)
            for index in 0..<12 { try await Self.insertTenant("race-\(index)", in: store) }
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        do {
                            try await store.withTransaction { transaction in
                                let node = try await placement.place(plan: "default", pinned: nil, in: transaction)
                                guard var tenant = try await transaction.tenant(try TenantID("race-\(index)")) else {
                                    return
                                }
                                tenant.nodeID = node
                                try await transaction.updateTenant(tenant)
                            }
                            return true
                        } catch is PlacementError {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 4)
            let placed = try await store.read { try await $0.placedTenants(nodeID: nil) }
            #expect(placed == [PlacedTenants(node: "n1", plan: "default", count: 4)])
        }
    }

    static func insertTenant(_ id: String, in store: any Store) async throws {
        try await store.withTransaction { transaction in
            try await transaction.insertTenant(
                Tenant(id: try TenantID(id), name: id, plan: "default", createdAt: .now()))
        }
    }

    static func placeTenant(_ id: String, on node: String, in store: any Store) async throws {
        try await insertTenant(id, in: store)
        try await store.withTransaction { transaction in
            guard var tenant = try await transaction.tenant(try TenantID(id)) else { return }
            tenant.nodeID = node
            try await transaction.updateTenant(tenant)
        }
    }

    /// A migrated PostgreSQL store in a schema of its own; skipped without a server outside CI.
    static func withStore(_ body: (any Store) async throws -> Void) async throws {
        guard PostgresTestDatabase.shouldRun else {
            print("NodePlacementTests: \(PostgresTestDatabase.skipMessage)")
            return
        }
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(schema) }
        let store = PostgresStore(
            options: PostgresOptions(
                url: url, poolSize: 12, statementTimeoutMilliseconds: 30_000, applicationName: "zc-placement"),
            logger: .disabled)
        do {
            try await store.migrate()
            try await body(store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }
}
