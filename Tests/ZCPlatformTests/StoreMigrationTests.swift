import Foundation
import PostgresStore
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCSQL

@testable import ZCPlatform

/// `zcplatform migrate-store`, SQLite → PostgreSQL and back, through the real binary.
@Suite("migrate-store", .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
struct StoreMigrationTests {
    /// A single node's store with every kind of row in it.
    static func populate(_ store: any Store) async throws {
        let now = Timestamp(seconds: 1_790_000_000)
        try await store.withTransaction { transaction in
            let admin = try await transaction.insertUser(
                try NewUser(email: "ops@example.com", isSuperAdmin: true, createdAt: now))
            let member = try await transaction.insertUser(try NewUser(email: "m@example.com", createdAt: now))
            var disabled = try await transaction.insertUser(try NewUser(email: "gone@example.com", createdAt: now))
            disabled.isDisabled = true
            disabled.lastLoginAt = now.adding(seconds: 3)
            try await transaction.updateUser(disabled)
            for index in 0..<30 {
                let id = TenantID(trusted: String(format: "tenant-%02d", index))
                try await transaction.insertTenant(
                    Tenant(
                        id: id, name: "Tenant \(index) — ünïcode", plan: index % 3 == 0 ? "starter" : "default",
                        status: index % 2 == 0 ? .running : .stopped,
                        errorMessage: index == 7 ? "deploy: image missing" : nil,
                        nodeID: "node-a", hostPort: 32_000 + index, uid: 200_000 + index, containerID: "c\(index)",
                        createdAt: now, startedAt: index % 2 == 0 ? now.adding(seconds: 10) : nil))
                try await transaction.setMembership(
                    Membership(tenantID: id, userID: member.id, role: TenantRole.allCases[index % 4], createdAt: now))
                _ = try await transaction.insertChannel(
                    NewChannel(
                        tenantID: id, kind: "telegram", name: "tg",
                        settings: ["chat": .number(Double(index)), "on": true],
                        secrets: ["bot_token": SealedSecret(bytes: (0..<48).map { UInt8(($0 * 7 + index) % 256) })],
                        createdAt: now))
                for minute in 0..<20 {
                    try await transaction.insertSnapshots([
                        ResourceSnapshot(
                            tenantID: id, collectedAt: now.adding(seconds: Int64(minute * 60)),
                            cpuPct: Double(minute) * 1.37 + 0.1, memBytes: 7_000_000 + Int64(minute),
                            memLimit: 268_435_456,
                            diskBytes: 50_000_000, netIn: Int64(minute * 1000), netOut: Int64(minute * 500), pids: 9)
                    ])
                }
                try await transaction.addUsage([
                    UsageHour(tenantID: id, hour: now, messages: Int64(index), tokensIn: 1000, tokensOut: 250)
                ])
            }
            _ = try await transaction.insertAccessToken(
                NewAccessToken(
                    userID: admin.id, kind: .api, name: "ci", tokenHash: Array(repeating: 7, count: 32), createdAt: now,
                    expiresAt: now.adding(seconds: 86_400)))
            for index in 0..<50 {
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now.adding(seconds: Int64(index)), actor: "ops@example.com", action: "tenant.restart",
                        tenantID: "tenant-01", clientIP: "203.0.113.9", detail: ["n": .number(Double(index))]))
            }
            try await transaction.upsertNode(
                Node(id: "node-a", address: "10.0.0.1:8080", version: "0.1.0", startedAt: now, lastHeartbeat: now))
        }
    }

    /// Everything a store holds, read through the Store API.
    struct Contents: Equatable {
        var tenants: [Tenant] = []
        var members: [[Membership]] = []
        var channels: [[Channel]] = []
        var snapshots: [[ResourceSnapshot]] = []
        var usage: [[UsageHour]] = []
        var users: [User] = []
        var tokens: [[AccessToken]] = []
        var audit: AuditPage = AuditPage(events: [], nextCursor: nil)
        var nodes: [Node] = []
    }

    static func contents(_ store: any Store) async throws -> Contents {
        try await store.read { reader in
            var contents = Contents()
            let all = (Timestamp(seconds: 0), Timestamp(seconds: 1 << 40))
            contents.tenants = try await reader.tenants(.all)
            for tenant in contents.tenants {
                contents.members.append(try await reader.members(of: tenant.id))
                contents.channels.append(try await reader.channels(of: tenant.id))
                contents.snapshots.append(try await reader.snapshots(of: tenant.id, from: all.0, to: all.1))
                contents.usage.append(try await reader.usage(of: tenant.id, from: all.0, to: all.1))
            }
            contents.users = try await reader.users()
            for user in contents.users { contents.tokens.append(try await reader.accessTokens(ofUser: user.id)) }
            contents.audit = try await reader.auditEvents(AuditQuery(limit: 1000))
            contents.nodes = try await reader.nodes()
            return contents
        }
    }

    @Test("SQLite → PostgreSQL: counts and checksums equal, data equal; a second run is refused; back again")
    func roundTrip() async throws {
        let directory = try TemporaryDirectory("zc-migrate")
        defer { directory.remove() }
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(schema) }
        let sqlitePath = directory.file("zcplatform.db")
        let source = try SQLiteStore(options: SQLiteOptions(path: sqlitePath), logger: .disabled)
        try await source.migrate()
        try await Self.populate(source)
        let expected = try await Self.contents(source)
        await source.close()

        let cli = CommandRunner(directory: directory.path)
        let first = try await cli.run(["migrate-store", "--from", sqlitePath, "--to", url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("verified: every table's rows and checksums match"))
        #expect(first.stdout.contains("resource_snapshots   600 → 600 rows"))
        #expect(!first.stdout.contains("MISMATCH"))

        let target = PostgresStore(options: PostgresTestDatabase.options(url), logger: .disabled)
        let actual = try await Self.contents(target)
        #expect(actual.tenants.count == 30 && actual.snapshots.joined().count == 600)
        #expect(actual == expected, "PostgreSQL holds exactly what SQLite held")
        // Identities continue after the copied ids.
        let next = try await target.withTransaction {
            try await $0.insertUser(try NewUser(email: "new@example.com", createdAt: .now()))
        }
        #expect(next.id == 4)
        await target.close()

        let second = try await cli.run(["migrate-store", "--from", sqlitePath, "--to", url])
        #expect(second.status == 1)
        #expect(second.stderrLines.last?.contains("the target store is not empty (") == true)
        #expect(second.stderrLines.last?.contains("pass --force to replace its contents") == true)

        let forced = try await cli.run(["migrate-store", "--from", sqlitePath, "--to", url, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("verified"))

        // And back, into a new SQLite file: a cluster can return to one node.
        let back = directory.file("back/zcplatform.db")
        let reverse = try await cli.run(["migrate-store", "--from", url, "--to", back])
        #expect(reverse.status == 0, "\(reverse.stderr)")
        let returned = try SQLiteStore(options: SQLiteOptions(path: back), logger: .disabled)
        #expect(try await Self.contents(returned) == expected)
        await returned.close()
    }

    @Test("the source is never written, and usage mistakes are clear")
    func refusals() async throws {
        let directory = try TemporaryDirectory("zc-migrate")
        defer { directory.remove() }
        let cli = CommandRunner(directory: directory.path)
        let missing = try await cli.run(["migrate-store", "--from", directory.file("a.db")])
        #expect(missing.status == 2)
        #expect(missing.stderrLines.first == "zcplatform: error: missing --to PATH|URL")
        let same = try await cli.run(["migrate-store", "--from", "x.db", "--to", "x.db"])
        #expect(same.status == 1)
        #expect(same.stderrLines.last == "zcplatform: error: --from and --to name the same store")
        let unreachable = try await cli.run([
            "migrate-store", "--from", directory.file("a.db"), "--to", "postgres://zc:pw-secret@127.0.0.1:1/zc",
        ])
        #expect(unreachable.status == 1)
        #expect(unreachable.stdout.contains("postgres://<redacted>@127.0.0.1:1/zc"))
        #expect(!unreachable.stdout.contains("pw-secret") && !unreachable.stderr.contains("pw-secret"))
    }
}
