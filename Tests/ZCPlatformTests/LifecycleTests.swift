import Foundation
import SQLiteStore
import Synchronization
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// A service that records when it starts and stops, and can be told to fail.
struct RecordingService: Service {
    let name: String
    let journal: Journal
    var failAfter: Duration?

    func run() async throws {
        journal.add("start \(name)")
        defer { journal.add("stop \(name)") }
        if let failAfter {
            try await Task.sleep(for: failAfter)
            throw CommandError(name: name)
        }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
        }
    }
}

struct CommandError: Error, Equatable {
    let name: String
}

final class Journal: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

@Suite("Lifecycle: service group, retention, platform")
struct LifecycleTests {
    @Test("cancellation stops services in reverse order of start, each before the next")
    func reverseShutdown() async throws {
        let journal = Journal()
        let group = ServiceGroup(
            services: ["store", "collector", "api"].map { RecordingService(name: $0, journal: journal) },
            logger: .disabled)
        let task = Task { try await group.run() }
        while journal.all.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        try await task.value
        #expect(Array(journal.all.suffix(3)) == ["stop api", "stop collector", "stop store"])
    }

    @Test("a failing service stops the others and its error is rethrown")
    func failurePropagates() async throws {
        let journal = Journal()
        let group = ServiceGroup(
            services: [
                RecordingService(name: "steady", journal: journal),
                RecordingService(name: "broken", journal: journal, failAfter: .milliseconds(20)),
            ], logger: .disabled)
        await #expect(throws: CommandError(name: "broken")) { try await group.run() }
        #expect(journal.all.contains("stop steady"))
    }

    @Test("retention prunes each table by its own rule")
    func retention() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.migrate()
        let now = Timestamp(seconds: 1_790_000_000)
        let day: Int64 = 86_400
        try await store.withTransaction { transaction in
            try await transaction.insertTenant(
                Tenant(id: try TenantID("acme"), name: "Acme", plan: "default", createdAt: now))
            for age in [Int64(1), 6, 8, 30] {
                try await transaction.insertSnapshots([
                    ResourceSnapshot(
                        tenantID: try TenantID("acme"), collectedAt: now.adding(seconds: -age * day), cpuPct: 1,
                        memBytes: 1, memLimit: 1, diskBytes: 1, netIn: 1, netOut: 1, pids: 1)
                ])
                try await transaction.appendAudit(
                    NewAuditEvent(at: now.adding(seconds: -age * day), actor: "x", action: "test.event"))
            }
        }
        let service = RetentionService(
            store: store,
            rules: [
                .init(table: .resourceSnapshots, keepSeconds: 7 * day), .init(table: .auditLog, keepSeconds: 20 * day),
            ], interval: .seconds(3600), batchRows: 1, logger: .disabled)
        let deleted = await service.pruneOnce(now: now)
        #expect(deleted == [.resourceSnapshots: 2, .auditLog: 1])
        let counts = try await store.read { try await $0.rowCounts() }
        #expect(counts["resource_snapshots"] == 2)
        #expect(counts["audit_log"] == 3)
        await store.close()
    }

    @Test("the default retention rules: 7 days of snapshots, audit kept unless configured")
    func defaultRules() throws {
        let configuration = try PlatformConfiguration.defaults(context: ConfigurationTests.noDocker)
        let rules = RetentionService.rules(for: configuration)
        #expect(rules.first { $0.table == .resourceSnapshots }?.keepSeconds == Int64(7 * 86_400))
        #expect(!rules.contains { $0.table == .auditLog })
    }

    @Test("an embedded platform opens its store, registers its node, and stops on cancellation")
    func embeddedPlatform() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = try ConfigurationLoader.load(
            explicitPath: nil,
            environment: [
                "ZCPLATFORM_STORE_PATH": directory.file("data/zcplatform.db"), "ZCPLATFORM_CLUSTER_NODE_ID": "embedded",
                "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_VAULT_KEY_PATH": directory.file("vault.key"),
                "ZCPLATFORM_RUNTIME_DATA_DIR": directory.file("tenants"),
            ],
            context: ConfigurationTests.noDocker, workingDirectory: directory.path)
        let handler = InMemoryLogHandler()
        let platform = try await Platform.open(configuration, logger: Logger(label: "test", handler: handler))
        let running = Task { try await platform.run() }
        var nodes: [Node] = []
        for _ in 0..<200 where nodes.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            nodes = try await platform.store.read { try await $0.nodes() }
        }
        #expect(nodes.map(\.id) == ["embedded"])
        running.cancel()
        try await running.value
        let events = handler.records.map(\.event)
        #expect(events.contains("platform.started"))
        #expect(events.last == "platform.stopped")
        await #expect(throws: StoreError.self) { _ = try await platform.store.read { try await $0.nodes() } }
    }

    @Test("bootstrap: first admin and token once; same email idempotent; another email refused")
    func bootstrap() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.migrate()
        guard
            case .created(let user, let token) = try await Bootstrap.run(
                email: "Root@Example.com", store: store, tokenLifetimeDays: 90)
        else {
            Issue.record("expected a new admin")
            return
        }
        #expect(user.email == "root@example.com" && user.isSuperAdmin)
        let stored = try await store.read { try await $0.accessToken(hash: token.hash) }
        #expect(stored?.userID == user.id)
        #expect(stored?.kind == .api)
        let again = try await Bootstrap.run(email: "root@example.com", store: store, tokenLifetimeDays: 90)
        #expect(again == .alreadyBootstrapped(email: "root@example.com"))
        await #expect(throws: Bootstrap.AlreadyBootstrapped.self) {
            _ = try await Bootstrap.run(email: "other@example.com", store: store, tokenLifetimeDays: 90)
        }
        let audit = try await store.read { try await $0.auditEvents(AuditQuery(action: "user.bootstrap")) }
        #expect(audit.events.count == 1)
        #expect(!"\(audit.events)".contains(token.value), "the token never reaches the audit log")
        #expect(try await store.read { try await $0.accessTokens(ofUser: user.id) }.count == 1)
        await store.close()
    }
}
