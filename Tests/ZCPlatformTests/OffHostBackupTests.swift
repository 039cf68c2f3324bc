import Foundation
import S3Objects
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// `zcplatform backup --output s3://…`, `backup verify s3://…` and `restore --archive s3://…` against a
/// real S3 API server that checks signatures; `backup.destination` as the cron line's default.
@Suite("Backups off the node", .enabled(if: S3TestServer.shouldRun, S3TestServer.skipMessage))
struct OffHostBackupTests {
    static func s3Environment(_ account: S3TestServer.Account, secret: String? = nil) -> [String: String] {
        [
            "ZCPLATFORM_OBJECTS_ENDPOINT": account.endpoint, "AWS_ACCESS_KEY_ID": account.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": secret ?? account.secretAccessKey,
        ]
    }

    @Test("backup to s3://: the archive is in the bucket, not left on disk; verify and restore read it back")
    func throughS3() async throws {
        let account = try S3TestServer.requireAccount()
        let live = try await LivePlatform.start()
        let outside = try TemporaryDirectory("zc-offhost")
        defer { outside.remove() }
        let prefix = "zc-b-\(UUID().uuidString.prefix(8).lowercased())/"
        let destination = "s3://\(account.bucket)/\(prefix)"
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"kept","name":"Kept"}"#).status == 201)
            let cli = CommandRunner(directory: outside.path)
            let environment = BackupTests.environment(live).merging(Self.s3Environment(account)) { $1 }
            let backup = try await cli.run(detached: ["backup", "--output", destination], environment: environment)
            #expect(backup.status == 0, "\(backup.stderr)")
            let url = backup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(url.hasPrefix(destination + "zcplatform-backup-") && url.hasSuffix(".tar.gz"), "\(url)")
            #expect(!backup.stderr.contains(account.secretAccessKey))
            let store = try S3Subjects.store(prefix: prefix)
            let stored = try await store.list(prefix: "")
            #expect(stored.count == 1 && url.hasSuffix(stored.first?.key ?? "-"), "\(stored)")
            #expect((stored.first?.size ?? 0) > 0)
            let audit = await live.call(.get, "/api/monitoring/audit?action=backup").json["events"] as? [[String: Any]]
            let detail = audit?.first?["detail"] as? [String: Any]
            #expect(detail?["destination"] as? String == destination)

            let verify = try await cli.run(detached: ["backup", "verify", url], environment: environment)
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stdout.hasPrefix("ok: "))

            await live.stop()
            let fresh = outside.file("restored")
            try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
            var target = Self.s3Environment(account)
            target["ZCPLATFORM_STORE_PATH"] = "\(fresh)/zcplatform.db"
            target["ZCPLATFORM_VAULT_KEY_PATH"] = "\(fresh)/vault.key"
            target["ZCPLATFORM_RUNTIME_DRIVER"] = "process"
            let restore = try await cli.run(detached: ["restore", "--archive", url], environment: target)
            #expect(restore.status == 0, "\(restore.stderr)")
            let restored = try BackupTests.open("\(fresh)/zcplatform.db")
            let tenants = try await restored.read { try await $0.tenants(.all) }.map(\.id.rawValue)
            #expect(tenants.contains("kept"))
            await restored.close()
            // A missing archive is a clear error, and nothing is restored.
            let missing = try await cli.run(
                detached: ["restore", "--archive", destination + "zcplatform-backup-1999-01-01-000000.tar.gz"],
                environment: target)
            #expect(missing.status != 0)
            #expect(
                missing.stderr.contains("NoSuchKey") || missing.stderr.contains("no such object"), "\(missing.stderr)")
            await S3Subjects.empty(store)
        }
    }

    @Test("a wrong secret or no credentials: refused before the database is read, the secret never printed")
    func refused() async throws {
        let account = try S3TestServer.requireAccount()
        let live = try await LivePlatform.start()
        let outside = try TemporaryDirectory("zc-offhost-refused")
        defer { outside.remove() }
        try await live.scoped {
            let cli = CommandRunner(directory: outside.path)
            let wrong = "wrong-\(UUID().uuidString)"
            let environment = BackupTests.environment(live).merging(Self.s3Environment(account, secret: wrong)) { $1 }
            let backup = try await cli.run(
                detached: ["backup", "--output", "s3://\(account.bucket)/zc-refused/"], environment: environment)
            #expect(backup.status != 0)
            #expect(backup.stderr.contains("SignatureDoesNotMatch"), "\(backup.stderr)")
            #expect(!backup.stderr.contains(wrong))
            var bare = BackupTests.environment(live)
            bare["ZCPLATFORM_OBJECTS_ENDPOINT"] = account.endpoint
            let unsigned = try await cli.run(
                detached: ["backup", "--output", "s3://\(account.bucket)/zc-refused/"], environment: bare)
            #expect(unsigned.status != 0)
            #expect(unsigned.stderr.contains("objects.access_key_id"), "\(unsigned.stderr)")
        }
    }

    @Test("backup.destination is where backup writes without --output (a file:// directory here)")
    func destinationKey() async throws {
        let live = try await LivePlatform.start()
        let outside = try TemporaryDirectory("zc-offhost-destination")
        defer { outside.remove() }
        let mounted = outside.file("mounted")
        try FileManager.default.createDirectory(atPath: mounted, withIntermediateDirectories: true)
        try await live.scoped {
            let cli = CommandRunner(directory: outside.path)
            var environment = BackupTests.environment(live)
            environment["ZCPLATFORM_BACKUP_DESTINATION"] = "file://\(mounted)/"
            let backup = try await cli.run(detached: ["backup"], environment: environment)
            #expect(backup.status == 0, "\(backup.stderr)")
            let written = try FileManager.default.contentsOfDirectory(atPath: mounted).filter {
                $0.hasPrefix("zcplatform-backup-")
            }
            #expect(written.count == 1, "\(written)")
            #expect(backup.stdout.hasPrefix("file://\(mounted)/zcplatform-backup-"), "\(backup.stdout)")
        }
    }
}
