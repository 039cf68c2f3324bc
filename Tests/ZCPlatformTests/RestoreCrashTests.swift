import Foundation
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCCrypto

@testable import ZCPlatform

/// `zcplatform restore` killed (SIGKILL) between any two of its steps, then `serve` started: the database
/// and its vault key are afterwards both the old ones or both the archive's, whole, and the secrets open.
/// A new, empty database is refused where the directory shows an earlier life.
@Suite("Restore under a crash", .serialized)
struct RestoreCrashTests {
    /// A platform's files in `directory`: one tenant, its API key sealed under the directory's own key.
    static func makeData(in directory: TemporaryDirectory, tenant: String, apiKey: String) async throws {
        let api = try await APIHarness.open(directory: directory)
        let admin = try await api.user("ops@example.com", admin: true)
        _ = admin
        let now = Timestamp.now()
        try await api.store.withTransaction { transaction in
            try await transaction.insertTenant(
                Tenant(id: TenantID(trusted: tenant), name: tenant, plan: "default", createdAt: now))
        }
        let sealed = try api.platform.vault.seal(
            apiKey, owner: SecretLocation.tenantAPIKey(TenantID(trusted: tenant)).owner)
        try await api.store.withTransaction { transaction in
            try await transaction.setTenantConfig(
                TenantConfig(tenantID: TenantID(trusted: tenant), apiKey: sealed, updatedAt: now))
        }
        await api.close(removingDirectory: false)
    }

    static func environment(_ directory: TemporaryDirectory) -> [String: String] {
        [
            "ZCPLATFORM_STORE_PATH": directory.file("zcplatform.db"),
            "ZCPLATFORM_VAULT_KEY_PATH": directory.file("vault.key"),
            "ZCPLATFORM_RUNTIME_DATA_DIR": directory.file("tenants"), "ZCPLATFORM_RUNTIME_DRIVER": "process",
            "ZCPLATFORM_SERVER_PORT": "0",
        ]
    }

    /// Which tenant the database holds, and whether its API key opens with the key file beside it.
    static func state(of directory: TemporaryDirectory) async throws -> (tenants: [String], opens: String?) {
        let store = try SQLiteStore(
            options: SQLiteOptions(path: directory.file("zcplatform.db"), readers: 1), logger: .disabled)
        defer { Task { await store.close() } }
        let tenants = try await store.read { try await $0.tenants(.all) }.map(\.id.rawValue)
        let vault = try Vault(keyFile: directory.file("vault.key"))
        var opened: String?
        for tenant in tenants {
            if let sealed = try await store.read({ try await $0.tenantConfig(of: TenantID(trusted: tenant)) })?.apiKey {
                opened = try? vault.open(sealed, owner: SecretLocation.tenantAPIKey(TenantID(trusted: tenant)).owner)
            }
        }
        await store.close()
        return (tenants, opened)
    }

    @Test("killed after any step, finished by the next serve: the old files or the archive's, each with its key")
    func killedAtEveryStep() async throws {
        let outside = try TemporaryDirectory("zc-restore-crash")
        defer { outside.remove() }
        // The archive: tenant `fresh`, its key sealed under the archive's own vault key.
        let source = try TemporaryDirectory("zc-restore-source")
        defer { source.remove() }
        try await Self.makeData(in: source, tenant: "fresh", apiKey: "sk-from-the-archive")
        let cli = CommandRunner(directory: outside.path)
        let backup = try await cli.run(["backup", "--output", outside.path], environment: Self.environment(source))
        #expect(backup.status == 0, "\(backup.stderr)")
        let archive = try #require(
            try FileManager.default.contentsOfDirectory(atPath: outside.path).first { $0.hasSuffix(".tar.gz") })

        let steps = ["journal", "aside-database", "database", "aside-key", "key", "migrated", "recorded", "none"]
        for step in steps {
            // The platform being restored: tenant `before`, under its own key.
            let target = try TemporaryDirectory("zc-restore-target")
            defer { target.remove() }
            try await Self.makeData(in: target, tenant: "before", apiKey: "sk-before-the-restore")
            var environment = Self.environment(target)
            environment["ZC_RESTORE_CRASH_AFTER"] = step
            let restore = try await cli.run(["restore", "--archive", outside.file(archive)], environment: environment)
            #expect(restore.status == (step == "none" ? 0 : 137), "\(step): \(restore.stderr)")
            if step != "none" {
                #expect(
                    FileManager.default.fileExists(atPath: target.file("zcplatform.db.restore-journal")),
                    "\(step): the journal stays for the next start")
            }

            // The next start finishes what the restore began.
            let server = try cli.start(["serve"], environment: Self.environment(target))
            let port = try await server.listeningPort()
            server.signal(SIGTERM)
            let served = await server.finished(timeout: 20)
            #expect(port != nil && served.status == 0, "\(step): \(served.stderr.suffix(1500))")
            if step != "none" { #expect(served.stderr.contains("event=restore.finished"), "\(step)") }

            let (tenants, opens) = try await Self.state(of: target)
            #expect(tenants == ["fresh"], "\(step): the archive's database, whole: \(tenants)")
            #expect(opens == "sk-from-the-archive", "\(step): with the archive's key")
            let names = try FileManager.default.contentsOfDirectory(atPath: target.path)
            #expect(!names.contains("zcplatform.db.restore-journal"), "\(step): \(names)")
            #expect(!names.contains { $0.hasPrefix(".zcplatform-restore-") }, "\(step): no work directory left")
            #expect(names.contains { $0.hasPrefix("zcplatform.db.pre-restore-") }, "\(step): the old database kept")
            #expect(names.contains { $0.hasPrefix("vault.key.pre-restore-") }, "\(step): the old key kept")
            let store = try SQLiteStore(
                options: SQLiteOptions(path: target.file("zcplatform.db"), readers: 1), logger: .disabled)
            let restores = try await store.read { try await $0.auditEvents(AuditQuery(action: "restore")) }.events
            await store.close()
            #expect(restores.count == 1, "\(step): the restore recorded once: \(restores.count)")
        }
    }

    @Test("killed while verifying, before any file moved: the old files, whole")
    func killedBeforeTheJournal() async throws {
        let target = try TemporaryDirectory("zc-restore-target")
        defer { target.remove() }
        try await Self.makeData(in: target, tenant: "before", apiKey: "sk-before-the-restore")
        // An archive that takes a while to read stands in for a kill during verification: the work
        // directory a killed restore leaves is removed at the next start, nothing else touched.
        try FileManager.default.createDirectory(
            atPath: target.file(".zcplatform-restore-20261201T000000Z-1"), withIntermediateDirectories: true)
        let cli = CommandRunner(directory: target.path)
        let server = try cli.start(["serve"], environment: Self.environment(target))
        _ = try await server.listeningPort()
        server.signal(SIGTERM)
        _ = await server.finished(timeout: 20)
        let (tenants, opens) = try await Self.state(of: target)
        #expect(tenants == ["before"] && opens == "sk-before-the-restore")
        #expect(!FileManager.default.fileExists(atPath: target.file(".zcplatform-restore-20261201T000000Z-1")))
    }

    @Test("no database but a vault key and tenant directories: serve refuses to start on an empty one")
    func earlierLife() async throws {
        let target = try TemporaryDirectory("zc-restore-target")
        defer { target.remove() }
        try await Self.makeData(in: target, tenant: "before", apiKey: "sk-before-the-restore")
        try FileManager.default.createDirectory(
            atPath: target.file("tenants/before"), withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: target.file("zcplatform.db" + suffix))
        }
        let cli = CommandRunner(directory: target.path)
        let refused = try await cli.run(["serve"], environment: Self.environment(target))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("does not exist, but the vault key"), "\(refused.stderr)")
        #expect(refused.stderr.contains("1 tenant directory"))
        #expect(refused.stderr.contains("zcplatform restore --archive"))
        #expect(!FileManager.default.fileExists(atPath: target.file("zcplatform.db")), "no empty database made")
    }
}
