import Foundation
import SQLiteStore
import Synchronization
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// Two nodes' elections on one store: one leads; the other takes over when the first resigns (SIGTERM)
/// or stops renewing, never while the first may still act.
@Suite("Leader election", .serialized)
struct LeaderElectionTests {
    /// A node's election. A loaded machine may stall a renewal for a second or more, so the leases are
    /// long where a test does not wait for one to run out.
    static func election(
        _ store: any Store, _ node: String, renewEvery: Duration = .milliseconds(300), leaseSeconds: Int64 = 10,
        metrics: MetricsRegistry = MetricsRegistry()
    ) -> LeaderElection {
        LeaderElection(
            store: store, nodeID: node, renewEvery: renewEvery, leaseSeconds: leaseSeconds, metrics: metrics,
            logger: .disabled)
    }

    @Test("one leads; on resigning the other takes over at once, by a new term; never two at a time")
    func resignHandsOver() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.migrate()
        let metrics = MetricsRegistry()
        let (first, second) = (Self.election(store, "n1", metrics: metrics), Self.election(store, "n2"))
        let both = Atomic<Int>(0)
        let firstRun = Task { try await first.run() }
        #expect(try await waitUntil(.seconds(5)) { first.isLeader }, "the first node leads")
        #expect(metrics.render().contains("zcplatform_cluster_is_leader 1"))
        let secondRun = Task { try await second.run() }
        let watcher = Task {
            while !Task.isCancelled {
                if first.isLeader && second.isLeader { both.add(1, ordering: .relaxed) }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        try await Task.sleep(for: .seconds(1))
        #expect(!second.isLeader, "the second waits while the lease runs")
        let firstTerm = try #require(first.term)

        firstRun.cancel()  // SIGTERM: it resigns
        _ = try? await firstRun.value
        #expect(!first.isLeader)
        #expect(metrics.render().contains("zcplatform_cluster_is_leader 0"))
        // Within one renewal, not after the lease's 10 s.
        #expect(try await waitUntil(.seconds(1.5)) { second.isLeader }, "the second takes over at its next try")
        #expect(second.term == firstTerm + 1, "by a new term")

        watcher.cancel()
        await watcher.value
        secondRun.cancel()
        _ = try? await secondRun.value
        #expect(both.load(ordering: .relaxed) == 0, "never two leaders at a time")
        await store.close()
    }

    @Test("a leader that cannot renew stops acting before its lease runs out; then another may take it")
    func silentLeaderStepsDown() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.migrate()
        // A renewal every 2 s on a 6 s lease: it may act for 3 s, and the lease runs 3 s longer.
        let first = Self.election(store, "n1", renewEvery: .seconds(2), leaseSeconds: 6)
        await first.attempt()  // one renewal, then silence (a frozen or cut-off node)
        #expect(first.isLeader)
        let lease = try #require(try await store.read { try await $0.lease(LeaderElection.leaseName) })
        // It acts for the lease's life less a second and one renewal (3 s), then stops by itself.
        #expect(try await waitUntil(.seconds(8)) { !first.isLeader }, "it steps down without the store")
        let stillRunning = Timestamp.now().seconds < lease.expiresAt.seconds
        #expect(stillRunning, "before its lease has run out, so no other node can have taken over yet")
        let second = Self.election(store, "n2")
        var taken: Int64?
        let deadline = ContinuousClock.now + .seconds(10)
        while taken == nil, ContinuousClock.now < deadline {
            await second.attempt()
            taken = second.term
            if taken == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(taken == lease.term + 1, "the lease, once run out, is taken over by a new term")
        await store.close()
    }
}
