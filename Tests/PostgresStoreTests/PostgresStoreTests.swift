import Foundation
import PostgresStore
import Synchronization
import TestSupport
import Testing
import ZCCore

/// PostgreSQL behaviour beyond the shared suite: lost connections, timeouts, refusals, concurrent nodes.
@Suite(
    "PostgreSQL store: connections and failures",
    .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
struct PostgresStoreTests {
    /// A migrated store in its own schema, with an application name unique to the test.
    func withStore(
        poolSize: Int = 4, statementTimeout: Int = 30_000,
        _ body: (PostgresStore, _ url: String, _ application: String) async throws -> Void
    ) async throws {
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(schema) }
        let application = "zc-test-\(schema)"
        let store = PostgresStore(
            options: PostgresOptions(
                url: url, poolSize: poolSize, statementTimeoutMilliseconds: statementTimeout,
                applicationName: application), logger: .disabled)
        try await store.migrate()
        do {
            try await body(store, url, application)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Terminates every server process of `application`, as a restart or an administrator would.
    func terminateBackends(of application: String) throws {
        try PostgresTestDatabase.execute(
            try PostgresTestDatabase.requireURL(),
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(application)'")
    }

    func tenant(_ id: String) -> Tenant {
        Tenant(id: TenantID(trusted: id), name: id, plan: "default", createdAt: Timestamp(seconds: 1_790_000_000))
    }

    @Test(
        "signals: heard when their transaction commits, never when it rolls back; a lost listener says it may have missed some"
    )
    func signals() async throws {
        try await withStore { store, _, application in
            // Channels are per database, not per schema: the cluster tests sharing this database signal
            // `zcplatform_work` with their nodes' ids, so this test listens on a channel of its own.
            let channel = "zctest_signals_\(getpid())"
            let heard = Mutex<[String?]>([])
            let listening = Task {
                try await store.listen(channel) { payload in heard.withLock { $0.append(payload) } }
            }
            // The listener's LISTEN runs on a connection of its own; wait until the server shows it.
            let url = try PostgresTestDatabase.requireURL()
            let ready = try await waitUntil(.seconds(10)) {
                try await store.withTransaction { try await $0.signal(channel, payload: "probe") }
                return heard.withLock { $0.contains("probe") }
            }
            #expect(ready, "the listener hears a committed signal")
            struct Abandon: Error {}
            await #expect(throws: Abandon.self) {
                try await store.withTransaction { transaction in
                    try await transaction.signal(channel, payload: "rolled-back")
                    throw Abandon()
                }
            }
            try await store.withTransaction { try await $0.signal(channel, payload: "n2") }
            #expect(try await waitUntil(.seconds(5)) { heard.withLock { $0.contains("n2") } })
            #expect(
                heard.withLock { $0 }.filter { $0 != "probe" } == ["n2"], "the rolled-back signal was never heard")

            // The listening connection killed: it reconnects and says signals may have been missed (nil).
            try PostgresTestDatabase.execute(
                url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(application)' AND query LIKE 'LISTEN%'"
            )
            #expect(
                try await waitUntil(.seconds(10)) { heard.withLock { $0.contains(nil) } }, "\(heard.withLock { $0 })")
            try await store.withTransaction { try await $0.signal(channel, payload: "after") }
            #expect(try await waitUntil(.seconds(5)) { heard.withLock { $0.contains("after") } }, "heard again")
            listening.cancel()
            _ = await listening.result
        }
    }

    @Test("a transaction in flight when its backend is terminated fails retryable; the pool heals")
    func terminatedMidTransaction() async throws {
        try await withStore { store, _, application in
            try await store.withTransaction { try await $0.insertTenant(tenant("before")) }
            let inserted = Flag()
            let release = Flag()
            let inFlight = Task {
                try await store.withTransaction { transaction in
                    try await transaction.insertTenant(tenant("in-flight"))
                    inserted.set()
                    while !release.isSet { try await Task.sleep(for: .milliseconds(5)) }
                    try await transaction.insertTenant(tenant("after-kill"))
                }
            }
            while !inserted.isSet { try await Task.sleep(for: .milliseconds(5)) }
            try terminateBackends(of: application)
            release.set()
            let error = await #expect(throws: StoreError.self) { try await inFlight.value }
            #expect(error?.kind == .connectionLost)
            #expect(error?.isRetryable == true)
            #expect(error?.failureKind == .unavailable)
            // No restart of the platform: the next work reconnects and succeeds.
            try await store.withTransaction { try await $0.insertTenant(tenant("later")) }
            let ids = try await store.read { try await $0.tenants(.all) }.map(\.id.rawValue)
            #expect(ids == ["before", "later"], "the interrupted transaction left nothing behind")
        }
    }

    @Test("connections the server dropped while idle are replaced before use; the work succeeds")
    func terminatedWhileIdle() async throws {
        try await withStore(poolSize: 3) { store, _, application in
            /// Runs three transactions that all hold their connection at the same moment.
            func useEveryConnection(_ round: String) async throws {
                let started = Counter()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<3 {
                        group.addTask {
                            try await store.withTransaction { transaction in
                                try await transaction.insertTenant(tenant("\(round)-\(index)"))
                                started.increment()
                                while started.value < 3 { try await Task.sleep(for: .milliseconds(2)) }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            try await useEveryConnection("one")
            let before = Set(await store.backendPIDs())
            #expect(before.count == 3)
            try terminateBackends(of: application)
            try await Task.sleep(for: .milliseconds(100))
            try await useEveryConnection("two")
            let after = Set(await store.backendPIDs())
            #expect(after.count == 3)
            #expect(before.isDisjoint(with: after), "every connection was replaced")
            #expect(try await store.read { try await $0.tenants(.all) }.count == 6)
        }
    }

    @Test("a statement past statement_timeout is a timeout error; the transaction rolls back")
    func statementTimeout() async throws {
        try await withStore(poolSize: 1, statementTimeout: 200) { store, url, _ in
            try await store.withTransaction { try await $0.insertTenant(tenant("acme")) }
            // Another session locks the row, so the update below waits past the timeout.
            let holder = try RowLockHolder(url: url, sql: "UPDATE tenants SET name = 'held' WHERE id = 'acme'")
            defer { holder.release() }
            var renamed = tenant("acme")
            renamed.name = "renamed"
            let update = renamed
            let error = await #expect(throws: StoreError.self) {
                try await store.withTransaction { transaction in
                    try await transaction.insertTenant(tenant("slow"))
                    try await transaction.updateTenant(update)
                }
            }
            #expect(error?.kind == .timeout)
            #expect(error?.isRetryable == true)
            holder.release()
            #expect(try await store.tenant(TenantID(trusted: "acme"))?.name == "acme")
            #expect(try await store.tenant(TenantID(trusted: "slow")) == nil)
        }
    }

    @Test("an unreachable server: a clear, retryable error without the password")
    func unreachable() async throws {
        let store = PostgresStore(
            options: PostgresOptions(url: "postgres://zc:hunter2-secret@127.0.0.1:1/zc", connectTimeoutSeconds: 2),
            logger: .disabled)
        let error = await #expect(throws: StoreError.self) { try await store.migrate() }
        #expect(error?.kind == .connectionLost)
        #expect(error?.description.contains("cannot connect to PostgreSQL") == true)
        #expect(error?.description.contains("hunter2") == false)
        await store.close()
    }

    @Test("two nodes migrating one database at once: both succeed, migrations applied once")
    func concurrentMigrations() async throws {
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(schema) }
        let stores = (0..<4).map { _ in PostgresStore(options: PostgresTestDatabase.options(url), logger: .disabled) }
        let applied = try await withThrowingTaskGroup(of: Int.self) { group in
            for store in stores { group.addTask { try await store.migrate().count } }
            var total = 0
            for try await count in group { total += count }
            return total
        }
        let latest = try await stores[0].schemaVersion().latest
        #expect(applied == latest, "each migration applied exactly once across the four nodes")
        for store in stores {
            #expect(try await store.schemaVersion().applied == latest)
            await store.close()
        }
    }

    @Test("sizes and integrity report from the server")
    func maintenance() async throws {
        try await withStore { store, _, _ in
            try await store.withTransaction { try await $0.insertTenant(tenant("acme")) }
            let sizes = try await store.sizes()
            #expect(sizes.count == 1 && sizes[0].bytes > 0)
            let tables = try await store.tableSizes()
            #expect(tables.contains { $0.name == "resource_snapshots" })
            #expect(try await store.integrityCheck() == [])
        }
    }
}

/// A shared count for tasks that wait for each other.
final class Counter: Sendable {
    private let state = Mutex(0)
    func increment() { state.withLock { $0 += 1 } }
    var value: Int { state.withLock { $0 } }
}

/// A one-way signal between tasks.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
