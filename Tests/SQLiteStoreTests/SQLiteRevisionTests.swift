import SQLiteStore
import TestSupport
import Testing
import ZCCore

/// `PRAGMA data_version` as the store's revision: still while only reads happen, moved by a write through
/// this store and by one through another connection to the file (a CLI command, another process).
@Suite("SQLite store revisions")
struct SQLiteRevisionTests {
    @Test("reads leave the revision; this store's writes and another's move it; a closed store's is never seen")
    func revisions() async throws {
        let directory = try TemporaryDirectory("zc-revisions")
        defer { directory.remove() }
        let options = SQLiteOptions(path: directory.file("zcplatform.db"))
        let store = try SQLiteStore(options: options, logger: .disabled)
        try await store.migrate()
        let first = try await store.revision()
        _ = try await store.read { try await $0.tenants(.all) }
        _ = try await store.read { try await $0.nodes() }
        #expect(try await store.revision() == first, "reads are not changes")

        try await store.withTransaction {
            try await $0.insertTenant(
                Tenant(
                    id: TenantID(trusted: "t-100000"), name: "T", plan: "default",
                    createdAt: Timestamp(seconds: 1_790_000_000)))
        }
        let afterOwn = try await store.revision()
        #expect(afterOwn != first, "a write through this store")
        #expect(try await store.revision() == afterOwn, "and nothing since")

        // A transaction that rolls back changed nothing.
        await #expect(throws: StoreError.self) {
            try await store.withTransaction { transaction in
                try await transaction.insertTenant(
                    Tenant(
                        id: TenantID(trusted: "t-100001"), name: "T", plan: "default",
                        createdAt: Timestamp(seconds: 1_790_000_000)))
                throw StoreError(.other, "given up")
            }
        }
        #expect(try await store.revision() == afterOwn, "a rolled-back transaction")

        let other = try SQLiteStore(options: options, logger: .disabled)
        try await other.withTransaction {
            try await $0.insertTenant(
                Tenant(
                    id: TenantID(trusted: "t-100002"), name: "T", plan: "default",
                    createdAt: Timestamp(seconds: 1_790_000_000)))
        }
        await other.close()
        let afterOther = try await store.revision()
        #expect(afterOther != afterOwn, "a write by another connection to the file")

        await store.close()
        let closed = try await store.revision()
        let again = try await store.revision()
        #expect(closed != afterOther && closed != again, "a closed store never repeats one")
    }
}
