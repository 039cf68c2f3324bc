import Foundation
import SQLiteStore
import Synchronization
import TestSupport
import Testing
import ZCCore

@Suite("Alert rules")
struct AlertEvaluatorTests {
    final class RecordingNotifier: Notifier {
        let name = "recording"
        let sent = Mutex<[ZCCore.Notification]>([])
        func send(_ notification: ZCCore.Notification) async throws { sent.withLock { $0.append(notification) } }
        var all: [ZCCore.Notification] { sent.withLock { $0 } }
    }

    final class Disk: Sendable {
        let percent = Mutex<Double?>(10)
    }

    struct Fixture {
        let directory: TemporaryDirectory
        let store: SQLiteStore
        let notifier = RecordingNotifier()
        let health = HealthBoard()
        let disk = Disk()
        let evaluator: AlertEvaluator

        init() async throws {
            directory = try TemporaryDirectory()
            store = try SQLiteStore(options: SQLiteOptions(path: directory.file("z.db")), logger: .disabled)
            try await store.migrate()
            let disk = self.disk
            evaluator = Self.evaluator(store: store, health: health, notifier: notifier, disk: disk)
        }

        static func evaluator(
            store: any Store, health: HealthBoard, notifier: any Notifier, disk: Disk
        )
            -> AlertEvaluator
        {
            AlertEvaluator(
                store: store, health: health, notifier: notifier,
                rules: AlertRules(errorFor: .seconds(300), cpuPercent: 80, cpuFor: .seconds(900)), nodeID: "n1",
                interval: .seconds(30), dataPath: "/data", metrics: MetricsRegistry(), logger: .disabled,
                diskUsage: { disk.percent.withLock { $0 } })
        }

        /// The evaluator a restarted platform would make: the same store, nothing in memory.
        func restarted(notifier: any Notifier) -> AlertEvaluator {
            Self.evaluator(store: store, health: health, notifier: notifier, disk: disk)
        }

        /// Inserts tenant `acme` on node n1, in error since `t0`.
        func insertTenantInError(at t0: Timestamp) async throws -> Tenant {
            let tenant = Tenant(
                id: TenantID(trusted: "acme"), name: "Acme", plan: "default", status: .error,
                errorMessage: "health: x", nodeID: "n1", hostPort: 30001, uid: 200_001, createdAt: t0, updatedAt: t0)
            try await store.withTransaction { try await $0.insertTenant(tenant) }
            return tenant
        }

        func markRunning(_ tenant: Tenant) async throws {
            var running = tenant
            running.status = .running
            let row = running
            try await store.withTransaction { try await $0.updateTenant(row) }
        }

        func close() async {
            await store.close()
            directory.remove()
        }
    }

    @Test("a tenant in error fires after the rule's duration, once, and resolves once when it runs again")
    func tenantInError() async throws {
        let fixture = try await Fixture()
        let t0 = Timestamp(seconds: 1_800_000_000)
        let tenant = try await fixture.insertTenantInError(at: t0)
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 60))
        #expect(fixture.notifier.all.isEmpty, "pending, not yet firing")
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 301))
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 331))
        let fired = fixture.notifier.all
        #expect(fired.count == 1, "fired once, not again while firing")
        #expect(fired.first?.kind == .alertFiring)
        #expect(
            fired.first?.labels == [
                "alertname": "TenantInError", "severity": "warning", "tenant": "acme", "node": "n1",
            ])
        #expect(fired.first?.startedAt == t0)
        #expect(fixture.evaluator.firing.map(\.name) == ["TenantInError"])
        try await fixture.markRunning(tenant)
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 400))
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 430))
        #expect(fixture.notifier.all.map(\.kind) == [.alertFiring, .alertResolved])
        #expect(fixture.evaluator.firing.isEmpty)
        // The audit log keeps both, for the console's recent alerts.
        let events = try await fixture.store.read { try await $0.auditEvents(AuditQuery()) }.events
            .filter { $0.action.hasPrefix("alert.") }.sorted { $0.id < $1.id }
        #expect(events.map(\.action) == ["alert.firing", "alert.resolved"])
        #expect(events.allSatisfy { $0.actor == "system:alerts" && $0.tenantID == "acme" })
        #expect(events.first?.detail["alert"] == .string("TenantInError"))
        #expect(events.first?.at == t0.adding(seconds: 301))
        await fixture.close()
    }

    @Test("a restart neither fires again what fired nor forgets it: it resolves once, after the restart")
    func firingAcrossRestart() async throws {
        let fixture = try await Fixture()
        let t0 = Timestamp(seconds: 1_800_000_000)
        let tenant = try await fixture.insertTenantInError(at: t0)
        fixture.disk.percent.withLock { $0 = 85 }
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 60))
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 301))
        #expect(
            fixture.notifier.all.map(\.labels["alertname"]) == ["HostDiskUsage", "TenantInError"].map { $0 }
                || fixture.notifier.all.map(\.labels["alertname"]) == ["TenantInError", "HostDiskUsage"].map { $0 })

        let after = RecordingNotifier()
        let restarted = fixture.restarted(notifier: after)
        try await restarted.evaluate(now: t0.adding(seconds: 400))
        #expect(after.all.isEmpty, "still firing: not sent again")
        #expect(Set(restarted.firing.map(\.name)) == ["TenantInError", "HostDiskUsage"])
        try await fixture.markRunning(tenant)
        fixture.disk.percent.withLock { $0 = 10 }
        try await restarted.evaluate(now: t0.adding(seconds: 430))
        #expect(after.all.map(\.kind) == [.alertResolved, .alertResolved], "each resolves once")
        #expect(after.all.first { $0.labels["alertname"] == "TenantInError" }?.startedAt == t0)
        let kept = try await fixture.store.read { try await $0.alertStates(nodeID: "n1") }
        #expect(kept.isEmpty, "nothing firing, nothing kept")
        await fixture.close()
    }

    @Test("a degraded agent (a channel in error) fires TenantDegraded after the error rule's duration")
    func tenantDegraded() async throws {
        let fixture = try await Fixture()
        let t0 = Timestamp(seconds: 1_800_000_000)
        let id = TenantID(trusted: "chatty")
        try await fixture.store.withTransaction {
            try await $0.insertTenant(
                Tenant(
                    id: id, name: "Chatty", plan: "default", status: .running, nodeID: "n1", hostPort: 30003,
                    uid: 200_003, createdAt: t0))
        }
        let failing = AgentHealth(components: [
            .init(name: "channel:telegram", status: "error", lastError: "401 Unauthorized", restartCount: 2)
        ])
        fixture.health.set(
            HealthBoard.TenantHealth(
                checkedAt: t0, healthy: true, consecutiveFailures: 0, lastError: failing.summary,
                components: failing.components), for: id)
        try await fixture.evaluator.evaluate(now: t0)
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 200))
        #expect(fixture.notifier.all.isEmpty, "pending for errorFor")
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 301))
        let fired = fixture.notifier.all
        #expect(fired.map(\.labels["alertname"]) == ["TenantDegraded"])
        #expect(fired.first?.labels["tenant"] == "chatty")
        #expect(fired.first?.body.contains("channel:telegram: 401 Unauthorized") == true)
        fixture.health.set(
            HealthBoard.TenantHealth(
                checkedAt: t0, healthy: true, consecutiveFailures: 0, lastError: nil,
                components: [.init(name: "channel:telegram", status: "ok")]), for: id)
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 331))
        #expect(fixture.notifier.all.map(\.kind) == [.alertFiring, .alertResolved])
        await fixture.close()
    }

    @Test("high CPU must hold for its duration; a dip resets it")
    func cpu() async throws {
        let fixture = try await Fixture()
        let t0 = Timestamp(seconds: 1_800_000_000)
        try await fixture.store.withTransaction {
            try await $0.insertTenant(
                Tenant(
                    id: TenantID(trusted: "busy"), name: "Busy", plan: "default", status: .running, nodeID: "n1",
                    hostPort: 30002, uid: 200_002, createdAt: t0))
        }
        func sample(_ seconds: Int64, cpu: Double) async throws {
            try await fixture.store.withTransaction {
                try await $0.insertSnapshots([
                    ResourceSnapshot(
                        tenantID: TenantID(trusted: "busy"), collectedAt: t0.adding(seconds: seconds), cpuPct: cpu,
                        memBytes: 1, memLimit: 2, diskBytes: 3, netIn: 0, netOut: 0, pids: 1)
                ])
            }
            try await fixture.evaluator.evaluate(now: t0.adding(seconds: seconds))
        }
        try await sample(0, cpu: 95)
        try await sample(600, cpu: 95)
        try await sample(660, cpu: 20)  // a dip: the condition starts again
        try await sample(720, cpu: 95)
        try await sample(1500, cpu: 95)
        #expect(fixture.notifier.all.isEmpty, "780 s above since the dip: not yet")
        try await sample(1700, cpu: 99)
        #expect(fixture.notifier.all.map(\.labels["alertname"]) == ["TenantHighCPU"])
        await fixture.close()
    }

    @Test("a failed backup fires until a backup succeeds, once for the cluster")
    func backup() async throws {
        let fixture = try await Fixture()
        let t0 = Timestamp(seconds: 1_800_000_000)
        func record(_ outcome: String, at seconds: Int64) async throws {
            try await fixture.store.withTransaction {
                try await $0.appendAudit(
                    NewAuditEvent(
                        at: t0.adding(seconds: seconds), actor: "cli", action: "backup",
                        detail: ["outcome": .string(outcome), "error": "no space left on device"]))
            }
        }
        // Backups are the cluster's (the audit log is shared): the leader's evaluator alone fires it.
        let cluster = AlertEvaluator(
            store: fixture.store, health: fixture.health, notifier: fixture.notifier, rules: AlertRules(),
            nodeID: "n1", interval: .seconds(30), dataPath: "/data", metrics: MetricsRegistry(), logger: .disabled,
            diskUsage: { nil }, scope: .cluster(isLeader: { true }))
        try await record("succeeded", at: 0)
        try await cluster.evaluate(now: t0.adding(seconds: 10))
        #expect(fixture.notifier.all.isEmpty)
        try await record("failed", at: 86_400)
        try await cluster.evaluate(now: t0.adding(seconds: 86_410))
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 86_410))
        #expect(fixture.notifier.all.map(\.labels["alertname"]) == ["BackupFailed"], "once, by the cluster's evaluator")
        #expect(fixture.notifier.all.first?.body.contains("no space left on device") == true)
        try await record("succeeded", at: 90_000)
        try await cluster.evaluate(now: t0.adding(seconds: 90_010))
        #expect(fixture.notifier.all.map(\.kind) == [.alertFiring, .alertResolved])
        await fixture.close()
    }

    @Test("disk use: warning, then critical, then resolved; a runtime outage fires after its duration")
    func diskAndRuntime() async throws {
        let fixture = try await Fixture()
        let t0 = Timestamp(seconds: 1_800_000_000)
        fixture.disk.percent.withLock { $0 = 85 }
        try await fixture.evaluator.evaluate(now: t0)
        fixture.disk.percent.withLock { $0 = 97 }
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 30))
        fixture.disk.percent.withLock { $0 = 50 }
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 60))
        let disk = fixture.notifier.all.map { "\($0.kind.rawValue) \($0.severity.rawValue)" }
        #expect(disk.prefix(2) == ["alert.firing warning", "alert.firing critical"], "\(disk)")
        #expect(Set(disk.dropFirst(2)) == ["alert.resolved warning", "alert.resolved critical"], "\(disk)")
        fixture.health.setRuntimeOutage(HealthBoard.RuntimeOutage(since: t0.adding(seconds: 100), reason: "refused"))
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 130))
        #expect(!fixture.notifier.all.contains { $0.labels["alertname"] == "RuntimeUnavailable" })
        try await fixture.evaluator.evaluate(now: t0.adding(seconds: 161))
        #expect(fixture.notifier.all.last?.labels["alertname"] == "RuntimeUnavailable")
        #expect(fixture.notifier.all.last?.severity == .critical)
        await fixture.close()
    }
}
