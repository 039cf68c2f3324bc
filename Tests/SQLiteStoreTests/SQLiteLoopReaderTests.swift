import SQLiteStore
import StoreConformance
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// Reads started on an event loop run on that loop's own connection, on its thread, within a budget:
/// past it, busy, or while the connection is held, the same read runs on the reader pool.
@Suite("SQLite reads on an event loop")
struct SQLiteLoopReaderTests {
    /// A store with `tenants` tenants and an event loop; both closed after `body`.
    static func withStore(
        tenants: Int = 3, _ body: (SQLiteStore, EventLoop) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory("zc-loop-reads")
        defer { directory.remove() }
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.migrate()
        try await store.withTransaction { transaction in
            for index in 0..<tenants {
                try await transaction.insertTenant(
                    Tenant(
                        id: TenantID(trusted: "t-\(100_000 + index)"), name: "T", plan: "default",
                        createdAt: Timestamp(seconds: 1_790_000_000)))
            }
        }
        let loop = try EventLoop(name: "zc-test-loop")
        loop.execute { EventLoopThread.markCurrent() }  // as the HTTP server marks its loops
        do {
            try await body(store, loop)
        } catch {
            await store.close()
            await loop.shutdown()
            throw error
        }
        await store.close()
        await loop.shutdown()
    }

    @Test("on a loop the read runs on the loop's thread and its own connection; elsewhere on the pool")
    func onTheLoop() async throws {
        try await Self.withStore { store, loop in
            let (here, count) = try await withTaskExecutorPreference(loop) {
                try await store.read { reader in (loop.inLoop, try await reader.tenants(.all).count) }
            }
            #expect(here, "the session's body ran on the loop's thread")
            #expect(count == 3)
            #expect(store.loopReads.answered == 1 && store.loopReads.fellBack == 0, "\(store.loopReads)")
            let elsewhere = try await store.read { _ in loop.inLoop }
            #expect(!elsewhere, "a read off the loops runs on the pool's thread")
            #expect(store.loopReads.answered == 1, "only reads begun on a loop use its connection")
            // A loop the server did not mark (an HTTP client's) reads through the pool.
            let client = try EventLoop(name: "zc-test-client-loop")
            let onClient = try await withTaskExecutorPreference(client) { try await store.read { _ in client.inLoop } }
            await client.shutdown()
            #expect(!onClient && store.loopReads.answered == 1, "\(store.loopReads)")
        }
    }

    @Test("a read past the loop's budget is interrupted and runs again on the pool, whole")
    func overBudget() async throws {
        // 30,000 tenants read whole: some tens of milliseconds of SQLite work, past the 2 ms budget.
        try await Self.withStore(tenants: 30_000) { store, loop in
            let count = try await withTaskExecutorPreference(loop) {
                try await store.read { try await $0.tenants(.all).count }
            }
            #expect(count == 30_000, "the answer is whole")
            #expect(store.loopReads.fellBack == 1 && store.loopReads.answered == 0, "\(store.loopReads)")
            // The interrupted session left nothing open: the next short read is answered on the loop.
            let one = try await withTaskExecutorPreference(loop) {
                try await store.read { try await $0.tenant(TenantID(trusted: "t-100007"))?.id.rawValue }
            }
            #expect(one == "t-100007")
            #expect(store.loopReads.answered == 1, "\(store.loopReads)")
        }
    }

    @Test("while a read holds the loop's connection, another read on that loop goes to the pool")
    func held() async throws {
        try await Self.withStore { store, loop in
            let places = try await withTaskExecutorPreference(loop) {
                try await withThrowingTaskGroup(of: (String, Bool, Int).self) { group in
                    group.addTask {
                        try await store.read { reader in
                            let before = try await reader.tenants(.all).count
                            try await Task.sleep(for: .milliseconds(200))
                            return ("holder", loop.inLoop, before + (try await reader.tenants(.all).count))
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(50))
                        return try await store.read { ("second", loop.inLoop, try await $0.tenants(.all).count) }
                    }
                    var places: [String: (Bool, Int)] = [:]
                    for try await (name, onLoop, count) in group { places[name] = (onLoop, count) }
                    return places
                }
            }
            #expect(places["holder"]?.0 == true && places["holder"]?.1 == 6, "the holder kept the loop's connection")
            #expect(places["second"]?.0 == false && places["second"]?.1 == 3, "the second read ran on the pool")
        }
    }
}

extension SQLiteLoopReaderTests {
    /// Reads `id` on the loop, in one session.
    static func name(of id: String, in store: SQLiteStore, on loop: EventLoop) async throws -> String? {
        try await withTaskExecutorPreference(loop) {
            try await store.read { try await $0.tenant(TenantID(trusted: id))?.name }
        }
    }

    static func rename(_ id: String, to name: String, in store: SQLiteStore) async throws {
        try await store.withTransaction { transaction in
            guard var tenant = try await transaction.tenant(TenantID(trusted: id)) else { return }
            tenant.name = name
            try await transaction.updateTenant(tenant)
        }
    }

    @Test("back-to-back reads on a busy loop share a snapshot; a write of this process is seen by the next read")
    func keptSnapshot() async throws {
        try await Self.withStore { store, loop in
            // Two reads in one job on the loop: the loop does not go idle between them. The second reuses
            // the first one's snapshot when it starts within the bound (1 ms; a loaded machine can preempt
            // the pair past it, so the pair is tried up to 50 times).
            var reused = false
            for _ in 0..<50 where !reused {
                let (first, second, count) = try await withTaskExecutorPreference(loop) {
                    let before = store.loopSnapshotsReused
                    let first = try await store.read { try await $0.tenant(TenantID(trusted: "t-100000"))?.name }
                    let second = try await store.read { try await $0.tenants(.all).count }
                    return (first, second, store.loopSnapshotsReused - before)
                }
                #expect(first == "T" && second == 3)
                #expect(count <= 1)
                reused = count == 1
                try await Task.sleep(for: .milliseconds(2))  // the loop idles: the snapshot ends
            }
            #expect(reused, "a second read reused the first one's snapshot")
            // Read, write, read at once on the loop: the write is seen, however young the snapshot.
            for round in 0..<50 {
                let seen = try await withTaskExecutorPreference(loop) {
                    _ = try await store.read { try await $0.tenant(TenantID(trusted: "t-100001")) }
                    try await Self.rename("t-100001", to: "name \(round)", in: store)
                    return try await store.read { try await $0.tenant(TenantID(trusted: "t-100001"))?.name }
                }
                #expect(seen == "name \(round)", "round \(round)")
            }
        }
    }

    @Test("a kept snapshot ends when the loop goes idle: another process's write is seen, a checkpoint truncates")
    func idleEndsSnapshot() async throws {
        try await Self.withStore { store, loop in
            #expect(try await Self.name(of: "t-100002", in: store, on: loop) == "T")
            // Another process (a CLI command) writes; this one's commit count does not move.
            let other = try SQLiteStore(options: store.options, logger: .disabled)
            try await Self.rename("t-100002", to: "renamed by the CLI", in: other)
            await other.close()
            // The loop went idle after the read: its snapshot ended, so the write is seen.
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await Self.name(of: "t-100002", in: store, on: loop) == "renamed by the CLI")
            // And no reader pins the WAL: a TRUNCATE checkpoint completes.
            try await Task.sleep(for: .milliseconds(20))
            let checkpoint = try await store.checkpoint()
            #expect(checkpoint.complete, "\(checkpoint)")
        }
    }

    @Test("a snapshot is kept no longer than its bound while the loop stays busy")
    func boundedAge() async throws {
        try await Self.withStore { store, loop in
            // One job that never lets the loop idle: a read; another connection's write, made right there
            // on the loop's thread; a busy wait past the bound; the read again.
            let (before, after) = try await withTaskExecutorPreference(loop) {
                let before = try await store.read { try await $0.tenant(TenantID(trusted: "t-100000"))?.name }
                try sqliteExec(store.options.path, "UPDATE tenants SET name = 'changed' WHERE id = 't-100000'")
                let until = ContinuousClock.now + SQLiteStore.loopSnapshotReuse * 3
                while ContinuousClock.now < until {}
                let after = try await store.read { try await $0.tenant(TenantID(trusted: "t-100000"))?.name }
                return (before, after)
            }
            #expect(before == "T" && after == "changed", "\(String(describing: after))")
        }
    }
}

/// The shared conformance suite again, every case run from a task on an event loop: the loop's reader
/// answers the reads (writes still go to the writer), with the same results.
@Suite("SQLite store conformance, read on an event loop")
struct SQLiteLoopConformanceTests {
    final class Opened: Sendable {
        let stores = Mutex<[SQLiteStore]>([])
    }

    @Test("every conformance case passes with its reads begun on an event loop")
    func conformance() async throws {
        let opened = Opened()
        let factory: StoreFactory = {
            let directory = try TemporaryDirectory("zc-conformance-loop")
            let store = try SQLiteStore(
                options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
            try await store.migrate()
            opened.stores.withLock { $0.append(store) }
            return StoreUnderTest(store: store) {
                await store.close()
                directory.remove()
            }
        }
        let loop = try EventLoop(name: "zc-conformance-loop")
        loop.execute { EventLoopThread.markCurrent() }
        for behaviour in StoreConformance.cases {
            do {
                try await withTaskExecutorPreference(loop) { try await behaviour.run(factory) }
            } catch {
                Issue.record("\(behaviour): \(error)")
            }
        }
        await loop.shutdown()
        let reads = opened.stores.withLock { $0 }.map(\.loopReads)
        let answered = reads.reduce(0) { $0 + $1.answered }
        #expect(answered > 100, "the loop's reader answered the reads: \(answered)")
    }
}
