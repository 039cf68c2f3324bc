import Foundation
import PostgresStore
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCCrypto
import ZCSQL

/// Backups of a PostgreSQL store: a logical export through libpq, restored into SQLite and into another
/// PostgreSQL database with every table equal.
@Suite(
    "Backup and restore of a PostgreSQL store", .serialized,
    .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
struct PostgresBackupTests {
    static let secret = "pg-bot-token-77d1-secret"

    @Test("PostgreSQL → archive → SQLite and → PostgreSQL: every table equal, the secret opens; running nodes refuse")
    func roundTrip() async throws {
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(schema) }
        let (otherSchema, otherURL) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(otherSchema) }
        let live = try await LivePlatform.start(["ZCPLATFORM_STORE_DRIVER": "postgres", "ZCPLATFORM_STORE_URL": url])
        let outside = try TemporaryDirectory("zc-pg-backup")
        defer { outside.remove() }
        let keyPath = live.api.platform.configuration.vaultKeyPath
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"acme","name":"Acme"}"#).status == 201)
            #expect(
                await live.call(
                    .post, "/api/tenants/acme/channels",
                    json: #"{"kind":"telegram","name":"support","secret":"\#(Self.secret)"}"#
                ).status == 201)
            try await live.api.store.withTransaction { transaction in
                try await transaction.insertSnapshots([
                    ResourceSnapshot(
                        tenantID: TenantID(trusted: "acme"), collectedAt: .now(), cpuPct: 12.5, memBytes: 7_000_000,
                        memLimit: 1 << 28, diskBytes: 50_000, netIn: 10, netOut: 20, pids: 4)
                ])
                try await transaction.addUsage([
                    UsageHour(
                        tenantID: TenantID(trusted: "acme"), hour: .now(), messages: 3, tokensIn: 300, tokensOut: 90)
                ])
            }
            await live.stop()
            let cli = CommandRunner(directory: outside.path)
            let source = [
                "ZCPLATFORM_STORE_DRIVER": "postgres", "ZCPLATFORM_STORE_URL": url,
                "ZCPLATFORM_VAULT_KEY_PATH": keyPath,
            ]
            let backup = try await cli.run(detached: ["backup", "--output", outside.path], environment: source)
            #expect(backup.status == 0, "\(backup.stderr)")
            let archive = backup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let verify = try await cli.run(detached: ["backup", "verify", archive], environment: source)
            #expect(verify.status == 0 && verify.stdout.contains("ok: "), "\(verify.stderr)")

            // This node was seen seconds ago: restoring over its database is refused.
            let refused = try await cli.run(detached: ["restore", "--archive", archive], environment: source)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("zcplatform servers are running on this database"), "\(refused.stderr)")

            let sqlite = outside.file("restored/zcplatform.db")
            let intoSQLite = try await cli.run(
                detached: ["restore", "--archive", archive],
                environment: [
                    "ZCPLATFORM_STORE_PATH": sqlite, "ZCPLATFORM_VAULT_KEY_PATH": outside.file("restored/vault.key"),
                ])
            #expect(intoSQLite.status == 0, "\(intoSQLite.stderr)")
            let intoPostgres = try await cli.run(
                detached: ["restore", "--archive", archive],
                environment: [
                    "ZCPLATFORM_STORE_DRIVER": "postgres", "ZCPLATFORM_STORE_URL": otherURL,
                    "ZCPLATFORM_VAULT_KEY_PATH": outside.file("pg/vault.key"),
                ])
            #expect(intoPostgres.status == 0, "\(intoPostgres.stderr)")

            let original = PostgresStore(options: PostgresTestDatabase.options(url), logger: .disabled)
            let restoredSQLite = try SQLiteStore(options: SQLiteOptions(path: sqlite, readers: 1), logger: .disabled)
            let restoredPostgres = PostgresStore(options: PostgresTestDatabase.options(otherURL), logger: .disabled)
            for table in SQLTable.all where table.name != "audit_log" {
                let left = try await StoreCopier.checksum(table, in: original.sqlStore)
                let sqliteSum = try await StoreCopier.checksum(table, in: restoredSQLite.sqlStore)
                let postgresSum = try await StoreCopier.checksum(table, in: restoredPostgres.sqlStore)
                #expect(left.rows == sqliteSum.rows && left.digest == sqliteSum.digest, "\(table.name) in SQLite")
                #expect(
                    left.rows == postgresSum.rows && left.digest == postgresSum.digest, "\(table.name) in PostgreSQL")
            }
            let vault = try Vault(keyFile: outside.file("pg/vault.key"))
            let opened = try await restoredPostgres.read { try await $0.storedSecrets() }.map {
                try vault.open($0.sealed, owner: $0.location.owner)
            }
            #expect(opened == [Self.secret])
            let audit = try await restoredPostgres.read {
                try await $0.auditEvents(AuditQuery(action: "restore", limit: 5))
            }
            #expect(audit.events.count == 1, "the restore is audited")
            await original.close()
            await restoredSQLite.close()
            await restoredPostgres.close()
        }
    }
}
