import Foundation
import Glibc
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCCrypto

/// `rotate-key`, `vault status|rewrap|retire` through the binary, on a store holding real secrets.
@Suite("Vault commands")
struct VaultCommandTests {
    /// A bootstrapped platform directory with two channel secrets and one API key sealed in its store.
    func populated() async throws -> (TemporaryDirectory, CommandRunner, [String: String]) {
        let directory = try TemporaryDirectory("zc-vault-cli")
        let cli = CommandRunner(directory: directory.path)
        #expect(try await cli.run(["bootstrap", "--admin-email", "ops@example.com"]).status == 0)
        let store = try SQLiteStore(
            options: SQLiteOptions(path: directory.file("data/zcplatform.db")), logger: .disabled)
        let vault = try Vault(keyFile: directory.file("data/vault.key"))
        let now = Timestamp.now()
        let acme = try TenantID("acme")
        let plaintexts = ["tg": "123456:telegram-secret", "slack": "xoxb-slack-secret", "key": "sk-provider-secret"]
        try await store.withTransaction { transaction in
            try await transaction.insertTenant(Tenant(id: acme, name: "Acme", plan: "default", createdAt: now))
            for name in ["tg", "slack"] {
                let kind = name == "tg" ? "telegram" : name
                let location = SecretLocation.channel(
                    id: 0, tenantID: acme, name: name, kind: kind, field: "bot_token")
                let sealed = try vault.seal(plaintexts[name] ?? "", owner: location.owner)
                _ = try await transaction.insertChannel(
                    NewChannel(tenantID: acme, kind: kind, name: name, secrets: ["bot_token": sealed], createdAt: now))
            }
            let key = try vault.seal(plaintexts["key"] ?? "", owner: SecretLocation.tenantAPIKey(acme).owner)
            try await transaction.setTenantConfig(TenantConfig(tenantID: acme, apiKey: key, updatedAt: now))
        }
        await store.close()
        return (directory, cli, plaintexts)
    }

    /// Every secret opens with its owner and equals what was sealed.
    func expectSecretsOpen(_ directory: TemporaryDirectory, _ plaintexts: [String: String]) async throws {
        let store = try SQLiteStore(
            options: SQLiteOptions(path: directory.file("data/zcplatform.db")), logger: .disabled)
        let vault = try Vault(keyFile: directory.file("data/vault.key"))
        for secret in try await store.read({ try await $0.storedSecrets() }) {
            let name: String
            switch secret.location {
            case .channel(_, _, let channel, _, _): name = channel
            case .tenantAPIKey: name = "key"
            }
            #expect(try vault.open(secret.sealed, owner: secret.location.owner) == plaintexts[name])
        }
        await store.close()
    }

    @Test("status counts secrets per version; rotate --rewrap moves them all; retire only when unused")
    func lifecycle() async throws {
        let (directory, cli, plaintexts) = try await populated()
        defer { directory.remove() }
        let status = try await cli.run(["vault", "status"])
        #expect(status.stdoutLines.contains { $0.hasPrefix("1 ") && $0.hasSuffix(" 3") })
        let rotated = try await cli.run(["rotate-key"])
        #expect(rotated.stdout.contains("added key version 2"))
        #expect(rotated.stdout.contains("3 secret(s) remain under older versions"))
        let refused = try await cli.run(["vault", "retire", "--version", "1"])
        #expect(refused.status == 1)
        #expect(refused.stderrLines.last?.contains("key version 1 still protects 3 secret(s)") == true)
        try await expectSecretsOpen(directory, plaintexts)
        let rewrapped = try await cli.run(["rotate-key", "--rewrap"])
        #expect(rewrapped.status == 0)
        #expect(rewrapped.stdout.contains("rewrapped 3 secret(s) under key version 3"))
        let after = try await cli.run(["vault", "status"]).stdoutLines
        #expect(after.contains { $0.hasPrefix("1 ") && $0.hasSuffix(" 0") })
        #expect(after.contains { $0.hasPrefix("3 ") && $0.hasSuffix(" 3") })
        #expect(try await cli.run(["vault", "retire", "--version", "1"]).status == 0)
        #expect(try await cli.run(["vault", "retire", "--version", "2"]).status == 0)
        #expect(try await cli.run(["vault", "retire", "--version", "3"]).status == 1, "never the newest")
        try await expectSecretsOpen(directory, plaintexts)
        let keyFile = try String(contentsOfFile: directory.file("data/vault.key"), encoding: .utf8)
        #expect(keyFile.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 1)
        guard SQLiteShell.required() else { return }
        let audit = try await SQLiteShell.run(
            directory.file("data/zcplatform.db"), "SELECT action FROM audit_log WHERE action LIKE 'vault.%' ORDER BY id"
        )
        #expect(audit.stdout == "vault.rotate\nvault.rotate\nvault.rewrap\nvault.retire\nvault.retire\n")
        let dump = try await SQLiteShell.run(directory.file("data/zcplatform.db"), ".dump").stdout
        for plaintext in plaintexts.values { #expect(!dump.contains(plaintext), "only ciphertext in the database") }
    }

    @Test("a key file others can read is refused; a lost key file with sealed secrets is refused, not recreated")
    func refusals() async throws {
        let (directory, cli, _) = try await populated()
        defer { directory.remove() }
        let keyPath = directory.file("data/vault.key")
        chmod(keyPath, 0o640)
        let wide = try await cli.run(["serve"], environment: ["ZCPLATFORM_SERVER_PORT": "0"])
        #expect(wide.status == 1)
        #expect(wide.stderrLines.last?.contains("is readable by others (mode 640); run `chmod 600") == true)
        chmod(keyPath, 0o600)
        try FileManager.default.moveItem(atPath: keyPath, toPath: keyPath + ".moved")
        let lost = try await cli.run(["vault", "status"])
        #expect(lost.status == 1)
        #expect(lost.stderrLines.last?.contains("is missing but 3 secret(s) are sealed in the store") == true)
        #expect(!FileManager.default.fileExists(atPath: keyPath), "no new key file was made")
    }
}
