import CSQLite
import Foundation
import SQLiteStore
import TestSupport
import Testing
import ZCCore

@Suite("SQLite store: file, pragmas and failures")
struct SQLiteStoreTests {
    @Test("WAL, synchronous=NORMAL and foreign keys are on, read back from the connection")
    func pragmas() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.migrate()
        #expect(try await store.pragma("journal_mode") == "wal")
        #expect(try await store.pragma("synchronous") == "1")  // NORMAL
        #expect(try await store.pragma("foreign_keys") == "1")
        await store.close()
    }

    @Test("a new database file is readable by its owner only")
    func ownerOnly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        for file in [path, path + "-wal", path + "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(file)")
        }
        await store.close()
    }

    @Test("the parent directory is created when missing")
    func createsDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("deep/er/zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        await store.close()
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("a file that is not a database is refused and left byte for byte as it was")
    func notADatabase() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("zcplatform.db")
        let content = Data(String(repeating: "this is a text file, not a database\n", count: 200).utf8)
        try content.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) {
            _ = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        }
        #expect(error?.kind == .notADatabase)
        #expect(error?.description.contains("not a SQLite database") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("a damaged database is refused and left as it was")
    func damagedDatabase() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        _ = try await store.checkpoint()
        await store.close()
        // Overwrite the schema page (page 1 after the 100-byte header) with garbage.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for index in 100..<min(4096, bytes.count) { bytes[index] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) {
            let reopened = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
            _ = reopened
        }
        #expect(error?.kind == .corrupt || error?.kind == .notADatabase)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test("a path whose directory is a file is refused with a clear message")
    func directoryIsAFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory.file("plain")))
        let error = #expect(throws: StoreError.self) {
            _ = try SQLiteStore(options: SQLiteOptions(path: directory.file("plain/zcplatform.db")), logger: .disabled)
        }
        #expect(error?.description.contains("is not a directory") == true)
    }

    @Test("a full database is a typed diskFull error; committed rows survive; the store recovers")
    func diskFull() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path, readers: 1), logger: .disabled)
        try await store.migrate()
        let tenant = Tenant(id: try TenantID("acme"), name: "Acme", plan: "default", createdAt: .now())
        try await store.withTransaction { try await $0.insertTenant(tenant) }
        // Cap the file at its current size, the way a full disk stops it: SQLite reports SQLITE_FULL.
        let pages = try await store.pragma("page_count").flatMap { Int($0) } ?? 0
        #expect(pages > 0)
        let capped = store
        try await capped.setMaximumPageCount(pages)
        let error = await #expect(throws: StoreError.self) {
            try await capped.withTransaction { transaction in
                for index in 0..<2000 {
                    try await transaction.appendAudit(
                        NewAuditEvent(
                            at: .now(), actor: "filler", action: "test.fill",
                            detail: ["pad": .string(String(repeating: "x", count: 500)), "n": .number(Double(index))]))
                }
            }
        }
        #expect(error?.kind == .diskFull)
        #expect(try await capped.tenant(tenant.id) == tenant)
        #expect(try await capped.read { try await $0.rowCounts() }["audit_log"] == 0)
        try await capped.setMaximumPageCount(1_000_000)
        try await capped.withTransaction {
            _ = try await $0.appendAudit(NewAuditEvent(at: .now(), actor: "a", action: "b.c"))
        }
        #expect(try await capped.integrityCheck() == [])
        await capped.close()
    }

    @Test("a database from a newer zcplatform is refused, not downgraded")
    func schemaTooNew() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        await store.close()
        try sqliteExec(path, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)")
        let reopened = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        let error = await #expect(throws: StoreError.self) { try await reopened.migrate() }
        #expect(error?.kind == .schemaTooNew)
        #expect(error?.description.contains("999") == true)
        await reopened.close()
    }

    @Test("the stock sqlite3 CLI can checkpoint and vacuum while the store is open and writing")
    func liveMaintenanceFromCLI() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        let ids = (0..<50).map { String(format: "tenant-%03d", $0) }
        try await store.withTransaction { transaction in
            for id in ids {
                try await transaction.insertTenant(
                    Tenant(id: try TenantID(id), name: id, plan: "default", createdAt: .now()))
            }
        }
        let writer = Task {
            for minute in Int64(0)..<200 {
                try await store.withTransaction { transaction in
                    try await transaction.insertSnapshots(
                        try ids.map {
                            ResourceSnapshot(
                                tenantID: try TenantID($0), collectedAt: Timestamp(seconds: minute * 60), cpuPct: 1,
                                memBytes: 1, memLimit: 1, diskBytes: 1, netIn: 1, netOut: 1, pids: 1)
                        })
                }
            }
        }
        let checkpoint = try await runSQLite3(path, "PRAGMA wal_checkpoint(TRUNCATE);")
        #expect(checkpoint.status == 0, "sqlite3 stderr: \(checkpoint.stderr)")
        try await writer.value
        let vacuum = try await runSQLite3(path, "VACUUM;")
        #expect(vacuum.status == 0, "sqlite3 stderr: \(vacuum.stderr)")
        let mode = try await runSQLite3(path, "PRAGMA journal_mode;")
        #expect(mode.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        let count = try await runSQLite3(path, "SELECT COUNT(*) FROM resource_snapshots;")
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "10000")
        #expect(try await store.read { try await $0.rowCounts() }["resource_snapshots"] == 10_000)
        await store.close()
    }

    @Test("checkpoint, vacuum, sizes and integrity check")
    func maintenance() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        try await store.withTransaction { transaction in
            for index in 0..<100 {
                try await transaction.appendAudit(
                    NewAuditEvent(at: .now(), actor: "a", action: "x.y", target: "\(index)"))
            }
        }
        let result = try await store.checkpoint()
        #expect(result.complete)
        let sizes = try await store.sizes()
        #expect(sizes.map(\.name) == ["zcplatform.db", "zcplatform.db-wal", "zcplatform.db-shm"])
        #expect(sizes[0].bytes > 0)
        #expect(sizes[1].bytes == 0, "TRUNCATE empties the log")
        try await store.vacuum()
        #expect(try await store.integrityCheck() == [])
        await store.close()
    }
}

/// Runs SQL on the file with the C library directly, outside the store.
func sqliteExec(_ path: String, _ sql: String) throws {
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { throw StoreError(.cannotOpen, "open") }
    defer { sqlite3_close(db) }
    guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
        throw StoreError(.other, String(cString: sqlite3_errmsg(db)))
    }
}

/// Runs the stock `sqlite3` command-line shell, as an operator would.
func runSQLite3(_ path: String, _ sql: String) async throws -> (status: Int32, stdout: String, stderr: String) {
    let output = try await ChildProcess.output(["/usr/bin/env", "sqlite3", path, sql])
    return (output.status, output.stdoutText, output.stderrText)
}
