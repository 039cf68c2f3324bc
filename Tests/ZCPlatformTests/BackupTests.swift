import Foundation
import SQLiteStore
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCCrypto
import ZCSQL

@testable import ZCPlatform

/// `zcplatform backup`, `backup verify`, `backup prune` and `restore` as an operator runs them, against
/// a platform that keeps writing.
@Suite("Backup and restore")
struct BackupTests {
    static let botToken = "bot-token-restore-9f2c-secret"

    /// The CLI pointed at `live`'s database and key, as cron's line would be.
    static func environment(_ live: LivePlatform) -> [String: String] {
        let configuration = live.api.platform.configuration
        return [
            "ZCPLATFORM_STORE_PATH": configuration.store.path, "ZCPLATFORM_VAULT_KEY_PATH": configuration.vaultKeyPath,
            "ZCPLATFORM_RUNTIME_DRIVER": "process",
        ]
    }

    static func open(_ path: String) throws -> SQLiteStore {
        try SQLiteStore(options: SQLiteOptions(path: path, readers: 1), logger: .disabled)
    }

    @Test("backup while collectors and the API write; restore into a fresh directory; everything as of the snapshot")
    func roundTripUnderLoad() async throws {
        let live = try await LivePlatform.start(MonitoringFlow.fastCollectors)
        let outside = try TemporaryDirectory("zc-backup")
        defer { outside.remove() }
        try await live.scoped {
            _ = try await MonitoringFlow.createAndDeploy(live, "metered")
            #expect(
                await live.call(
                    .post, "/api/tenants/metered/channels",
                    json: #"{"kind":"telegram","name":"support","secret":"\#(Self.botToken)"}"#
                ).status == 201)
            _ = try await MonitoringFlow.eventually("snapshots to back up") { () -> Bool? in
                let body = await live.call(.get, "/api/tenants/metered/resources?range=1h").json
                return (body["history"] as? [Any])?.isEmpty == false ? true : nil
            }
            // Load: tenants created one after another while the backup runs (each 201 is committed).
            let created = Mutex<[String]>([])
            let load = Task {
                var index = 0
                while !Task.isCancelled {
                    let id = "load-\(index)"
                    if await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"Load \#(index)"}"#).status
                        == 201
                    {
                        created.withLock { $0.append(id) }
                    }
                    index += 1
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let cli = CommandRunner(directory: outside.path)
            let backup = try await cli.run(
                detached: ["backup", "--output", outside.path], environment: Self.environment(live))
            try await Task.sleep(for: .milliseconds(300))
            load.cancel()
            _ = await load.value
            #expect(backup.status == 0, "\(backup.stderr)")
            let archive = backup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(archive.hasPrefix(outside.path + "/zcplatform-backup-") && archive.hasSuffix(".tar.gz"))
            #expect(
                archive.range(of: #"zcplatform-backup-\d{4}-\d{2}-\d{2}-\d{6}\.tar\.gz$"#, options: .regularExpression)
                    != nil)
            let audit = await live.call(.get, "/api/monitoring/audit?action=backup").json["events"] as? [[String: Any]]
            #expect((audit?.first?["detail"] as? [String: Any])?["outcome"] as? String == "succeeded")

            let verify = try await cli.run(
                detached: ["backup", "verify", archive], environment: Self.environment(live))
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stdout.hasPrefix("ok: "))

            await live.stop()
            let fresh = outside.file("restored")
            try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
            let restore = try await cli.run(
                detached: ["restore", "--archive", archive],
                environment: [
                    "ZCPLATFORM_STORE_PATH": "\(fresh)/zcplatform.db",
                    "ZCPLATFORM_VAULT_KEY_PATH": "\(fresh)/vault.key",
                    "ZCPLATFORM_RUNTIME_DRIVER": "process",
                ])
            #expect(restore.status == 0, "\(restore.stderr)")

            let source = try Self.open(live.api.platform.configuration.store.path)
            let restored = try Self.open("\(fresh)/zcplatform.db")
            let sourceCounts = try await source.tableRowCounts()
            let restoredCounts = try await restored.tableRowCounts()
            // Tables nobody wrote during the backup are equal row for row.
            for table in ["users", "memberships", "channels", "tenant_configs", "login_codes"] {
                let left = try await StoreCopierProbe.checksum(table, source)
                let right = try await StoreCopierProbe.checksum(table, restored)
                #expect(left == right, "\(table) equal")
            }
            // Tenants created during the backup: the restored ones are exactly a prefix of them.
            let restoredTenants = try await restored.read { try await $0.tenants(.all) }.map(\.id.rawValue)
            let loadCreated = created.withLock { $0 }
            let restoredLoad = loadCreated.filter { restoredTenants.contains($0) }
            #expect(restoredLoad == Array(loadCreated.prefix(restoredLoad.count)), "a consistent point in time")
            #expect(
                restoredLoad.count < loadCreated.count || loadCreated.isEmpty,
                "tenants created after the snapshot are absent")
            #expect(restoredTenants.contains("metered"))
            // Snapshots and audit: the restored rows are a prefix of the source's.
            let window = (Timestamp(seconds: 0), Timestamp(seconds: 1 << 40))
            let sourceSnapshots = try await source.read {
                try await $0.snapshots(of: TenantID(trusted: "metered"), from: window.0, to: window.1)
            }
            let restoredSnapshots = try await restored.read {
                try await $0.snapshots(of: TenantID(trusted: "metered"), from: window.0, to: window.1)
            }
            #expect(!restoredSnapshots.isEmpty)
            // The same instants, and the same rows but the newest: a collector cycle in the same second as
            // the previous one replaces that second's row, which the snapshot may have caught before.
            let count = restoredSnapshots.count
            #expect(sourceSnapshots.prefix(count).map(\.collectedAt) == restoredSnapshots.map(\.collectedAt))
            #expect(Array(sourceSnapshots.prefix(count - 1)) == Array(restoredSnapshots.prefix(count - 1)))
            // Every page: a query answers 1,000 events at most, and a fast machine creates more than that.
            func allAudit(_ store: any Store) async throws -> [AuditEvent] {
                var events: [AuditEvent] = []
                var cursor: Int64?
                repeat {
                    let page = try await store.read { [cursor] in
                        try await $0.auditEvents(AuditQuery(limit: 1_000, cursor: cursor))
                    }
                    events += page.events
                    cursor = page.nextCursor
                } while cursor != nil
                return events
            }
            let sourceAudit = try await allAudit(source)
            let restoredAudit = try await allAudit(restored)
            let sourceByID = Dictionary(uniqueKeysWithValues: sourceAudit.map { ($0.id, $0) })
            let differing = restoredAudit.filter { $0.action != "restore" && sourceByID[$0.id] != $0 }
            #expect(
                differing.isEmpty,
                "\(differing.count) restored events differ from the source's, as \(differing.prefix(2))")
            #expect(
                restoredAudit.contains { $0.action == "restore" }, "the restore is audited in the restored database")
            #expect((restoredCounts["resource_rollups"] ?? 0) > 0 && (sourceCounts["usage_metrics"] ?? 0) >= 0)
            // The secret opens with the restored key.
            let vault = try Vault(keyFile: "\(fresh)/vault.key")
            let secrets = try await restored.read { try await $0.storedSecrets() }
            let opened = try secrets.map { try vault.open($0.sealed, owner: $0.location.owner) }
            #expect(opened.contains(Self.botToken))
            await source.close()
            await restored.close()
        }
    }

    @Test("restore refuses a damaged, truncated, mis-summed or newer archive and a running server; the database stays")
    func refusals() async throws {
        let live = try await LivePlatform.start()
        let outside = try TemporaryDirectory("zc-backup")
        defer { outside.remove() }
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"kept","name":"Kept"}"#).status == 201)
            let cli = CommandRunner(directory: outside.path)
            let environment = Self.environment(live)
            let backup = try await cli.run(detached: ["backup", "--output", outside.path], environment: environment)
            #expect(backup.status == 0, "\(backup.stderr)")
            let archive = backup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let database = live.api.platform.configuration.store.path

            // A running server holds the database.
            let running = try await cli.run(detached: ["restore", "--archive", archive], environment: environment)
            #expect(running.status == 1)
            #expect(running.stderr.contains("a running zcplatform server (pid \(getpid()))"), "\(running.stderr)")
            await live.stop()
            let before = try Data(contentsOf: URL(fileURLWithPath: database))

            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: archive)))
            func variant(_ name: String, _ change: (inout [UInt8]) -> Void) throws -> String {
                var copy = bytes
                change(&copy)
                let path = outside.file(name)
                try Data(copy).write(to: URL(fileURLWithPath: path))
                return path
            }
            let truncated = try variant("truncated.tar.gz") { $0.removeLast($0.count / 3) }
            let flipped = try variant("flipped.tar.gz") { $0[$0.count / 2] ^= 0x20 }
            let cases: [(String, String)] = [
                (truncated, "truncated"), (flipped, "damaged"), (outside.file("missing.tar.gz"), "does not exist"),
                (try await Self.rewritten(archive, in: outside, name: "sums.tar.gz", checksum: true), "checksum"),
                (
                    try await Self.rewritten(archive, in: outside, name: "newer.tar.gz", schema: 99),
                    "newer than this zcplatform"
                ),
            ]
            for (path, expected) in cases {
                let verify = try await cli.run(detached: ["backup", "verify", path], environment: environment)
                #expect(verify.status == 1, "\(path)")
                #expect(verify.stderr.contains(expected), "verify \(path): \(verify.stderr)")
                let refused = try await cli.run(detached: ["restore", "--archive", path], environment: environment)
                #expect(refused.status == 1, "\(path)")
                #expect(refused.stderr.contains(expected), "restore \(path): \(refused.stderr)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == before, "the database is untouched")
            }
            let leftovers = try FileManager.default.contentsOfDirectory(
                atPath: (database as NSString).deletingLastPathComponent)
            #expect(!leftovers.contains { $0.contains("pre-restore") || $0.hasPrefix(".zcplatform-restore") })
            // Refused into a directory that does not exist yet: nothing is left behind.
            let nowhere = outside.file("fresh/data")
            let refusedFresh = try await cli.run(
                detached: ["restore", "--archive", truncated],
                environment: [
                    "ZCPLATFORM_STORE_PATH": "\(nowhere)/zcplatform.db",
                    "ZCPLATFORM_VAULT_KEY_PATH": "\(nowhere)/vault.key",
                ])
            #expect(refusedFresh.status == 1)
            #expect(!FileManager.default.fileExists(atPath: nowhere), "no directory made for a refused archive")
            // An archive from an older schema restores and is migrated forward.
            let older = try await Self.rewritten(archive, in: outside, name: "older.tar.gz", olderSchema: true)
            let migrated = try await cli.run(detached: ["restore", "--archive", older], environment: environment)
            #expect(migrated.status == 0, "\(migrated.stderr)")
            #expect(migrated.stdout.contains("schema 2 → 13"), "\(migrated.stdout)")
            let upgraded = try Self.open(database)
            #expect(try await upgraded.tableRowCounts()["resource_rollups"] != nil, "the migration ran")
            #expect(try await upgraded.read { try await $0.tenant(TenantID(trusted: "kept")) } != nil)
            await upgraded.close()
            // The good archive restores, keeping the replaced files.
            let good = try await cli.run(detached: ["restore", "--archive", archive], environment: environment)
            #expect(good.status == 0, "\(good.stderr)")
            let after = try FileManager.default.contentsOfDirectory(
                atPath: (database as NSString).deletingLastPathComponent)
            #expect(after.contains { $0.hasPrefix("zcplatform.db.pre-restore-") })
            #expect(after.contains { $0.hasPrefix("vault.key.pre-restore-") })
        }
    }

    /// A copy of `archive` with its database changed: a bad checksum in the manifest, or a schema newer
    /// than this binary's (recorded consistently, so only the version check can refuse it).
    static func rewritten(
        _ archive: String, in directory: TemporaryDirectory, name: String, checksum: Bool = false, schema: Int? = nil,
        olderSchema: Bool = false, sql: String? = nil, countChanges: [String: Int] = [:]
    ) async throws -> String {
        let work = directory.file("rewrite-\(name)")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        _ = try await ChildProcess.output(["/bin/tar", "-xzf", archive, "-C", work])
        let manifestURL = URL(fileURLWithPath: "\(work)/manifest.json")
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any] ?? [:]
        var files = manifest["files"] as? [String: [String: Any]] ?? [:]
        if checksum {
            files["zcplatform.db"]?["sha256"] = String(repeating: "0", count: 64)
        }
        if let schema {
            _ = try await SQLiteShell.run(
                "\(work)/zcplatform.db",
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(schema), 'from the future', 0)")
            let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(work)/zcplatform.db")))
            files["zcplatform.db"] = ["sha256": SHA256Digest.hash(data).hexString, "bytes": data.count]
            manifest["schema_version"] = schema
        }
        if olderSchema {
            // What a backup made before the roll-ups (schema 3), the authentication limits (4), the counters
            // kept across restarts (5), the instance id (6), cluster membership (7), placement epochs (8),
            // moves (9), token scopes (10), channel secrets per field (11) and the nodes' self-checks (12) holds.
            let downgraded = try await SQLiteShell.run(
                "\(work)/zcplatform.db",
                """
                DROP TABLE resource_rollups; DROP TABLE auth_limits; DROP INDEX auth_attempts_client;
                DROP INDEX auth_attempts_at; ALTER TABLE auth_attempts DROP COLUMN client_ip;
                DROP TABLE usage_counters; DROP TABLE alert_states; DROP TABLE platform_meta;
                ALTER TABLE nodes DROP COLUMN expires_at; ALTER TABLE nodes DROP COLUMN state;
                ALTER TABLE nodes DROP COLUMN memory_capacity; ALTER TABLE nodes DROP COLUMN memory_reserved;
                ALTER TABLE nodes RENAME COLUMN last_heartbeat TO last_seen_at; DROP TABLE leases;
                ALTER TABLE tenants DROP COLUMN placement_epoch; ALTER TABLE tenants DROP COLUMN moving_to;
                ALTER TABLE access_tokens DROP COLUMN scope; DROP TABLE channel_secrets;
                ALTER TABLE nodes DROP COLUMN vault_key; ALTER TABLE nodes DROP COLUMN address_checked_at;
                ALTER TABLE nodes DROP COLUMN address_error;
                DROP TABLE rollout_nodes; DROP TABLE rollout_tenants; DROP TABLE rollouts;
                ALTER TABLE tenants DROP COLUMN image; ALTER TABLE tenants DROP COLUMN image_pinned;
                DELETE FROM schema_migrations WHERE version IN (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
                """)
            #expect(downgraded.status == 0 && downgraded.stderr.isEmpty, "\(downgraded.stderr)")
            let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(work)/zcplatform.db")))
            files["zcplatform.db"] = ["sha256": SHA256Digest.hash(data).hexString, "bytes": data.count]
            manifest["schema_version"] = 2
            var counts = manifest["row_counts"] as? [String: Int] ?? [:]
            counts["resource_rollups"] = nil
            counts["auth_limits"] = nil
            counts["usage_counters"] = nil
            counts["channel_secrets"] = nil
            counts["alert_states"] = nil
            counts["platform_meta"] = nil
            counts["leases"] = nil
            counts["rollouts"] = nil
            counts["rollout_tenants"] = nil
            counts["rollout_nodes"] = nil
            counts["schema_migrations"] = (counts["schema_migrations"] ?? 11) - 11
            manifest["row_counts"] = counts
        }
        if let sql {
            let result = try await SQLiteShell.run("\(work)/zcplatform.db", sql)
            #expect(result.status == 0, "\(result.stderr)")
            let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(work)/zcplatform.db")))
            files["zcplatform.db"] = ["sha256": SHA256Digest.hash(data).hexString, "bytes": data.count]
            var counts = manifest["row_counts"] as? [String: Int] ?? [:]
            for (table, change) in countChanges { counts[table] = (counts[table] ?? 0) + change }
            manifest["row_counts"] = counts
        }
        manifest["files"] = files
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
        let path = directory.file(name)
        _ = try await ChildProcess.output(
            ["/bin/tar", "--format=ustar", "-czf", path, "-C", work, "zcplatform.db", "vault.key", "manifest.json"])
        return path
    }

    @Test("a backup killed at any moment leaves no archive under the final name; prune keeps the newest")
    func killedAndPruned() async throws {
        let live = try await LivePlatform.start()
        let outside = try TemporaryDirectory("zc-backup")
        defer { outside.remove() }
        try await live.scoped {
            for index in 0..<30 {
                _ = await live.call(.post, "/api/tenants", json: #"{"id":"t-\#(index)","name":"T \#(index)"}"#)
            }
            let cli = CommandRunner(directory: outside.path)
            for delay in [0, 5, 20, 40, 80, 150] {
                let started = try cli.start(["backup", "--output", outside.path], environment: Self.environment(live))
                try await Task.sleep(for: .milliseconds(delay))
                started.signal(SIGKILL)
                _ = await started.finished()
                for name in try FileManager.default.contentsOfDirectory(atPath: outside.path)
                where name.hasPrefix("zcplatform-backup-") {
                    // Whatever carries the final name is a complete, verified archive.
                    let verify = try await cli.run(
                        detached: ["backup", "verify", outside.file(name)], environment: Self.environment(live))
                    #expect(verify.status == 0, "killed after \(delay) ms: \(name): \(verify.stderr)")
                }
                try await Task.sleep(for: .milliseconds(1100))
            }
            let complete = try await cli.run(
                detached: ["backup", "--output", outside.path], environment: Self.environment(live))
            #expect(complete.status == 0, "\(complete.stderr)")
            // Prune: two old archives go, the newest stays even when it is old too.
            let old = ["zcplatform-backup-2020-01-01-030000.tar.gz", "zcplatform-backup-2020-01-02-030000.tar.gz"]
            for name in old { FileManager.default.createFile(atPath: outside.file(name), contents: Data()) }
            FileManager.default.createFile(atPath: outside.file("unrelated.tar.gz"), contents: Data())
            let prune = try await cli.run(detached: ["backup", "prune", "--output", outside.path, "--keep-days", "14"])
            #expect(prune.status == 0, "\(prune.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: outside.path)
            #expect(!left.contains(old[0]) && !left.contains(old[1]))
            #expect(left.contains("unrelated.tar.gz"), "only this tool's archives are touched")
            let onlyOld = try TemporaryDirectory("zc-prune")
            defer { onlyOld.remove() }
            for name in old { FileManager.default.createFile(atPath: onlyOld.file(name), contents: Data()) }
            let result = try BackupPruner.prune(directory: onlyOld.path, keepDays: 14)
            #expect(result.deleted == [old[0]] && result.kept == [old[1]], "the newest archive is never deleted")
            let notANumber = try await cli.run(
                detached: ["backup", "prune", "--output", outside.path, "--keep-days", "x"])
            #expect(notANumber.status == 2 && notANumber.stderr.contains("--keep-days must be a whole number of days"))
            #expect(
                try await cli.run(detached: ["backup", "prune", "--output", outside.path, "--keep-days", "0"]).status
                    == 1)
        }
    }
}

/// Table checksums through the store copier's canonical encoding, for equality of whole tables.
enum StoreCopierProbe {
    static func checksum(_ table: String, _ store: SQLiteStore) async throws -> String {
        guard let spec = SQLTable.all.first(where: { $0.name == table }) else { return "" }
        return try await StoreCopier.checksum(spec, in: store.sqlStore).digest
    }
}
