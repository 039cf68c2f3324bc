import Foundation
import Testing
import ZCCore
import ZCCrypto
import ZCHTTP

@testable import ZCPlatform

/// Known secret values go in through the API; afterwards they are found nowhere but in ciphertext:
/// not in any response, not in the audit log, not in the platform's log output, not in the database.
@Suite("Secrets stay secret")
struct SecretsTests {
    @Test("secrets appear in no response, audit record, log line or database byte")
    func nowhere() async throws {
        let logs = InMemoryLogHandler()
        let api = try await APIHarness.open(logs: logs)
        let admin = try await api.user("root@example.com", admin: true)
        _ = admin
        let token = try await api.signIn("root@example.com")
        let secrets = [
            "TG-SECRET-8c1f5e2a", "SK-PROVIDER-SECRET-93be", "SLACK-SECRET-77a0", "RENAMED-SECRET-4d2c",
            "SLACK-APP-TOKEN-51e9",
        ]
        var responses: [APIResponse] = []
        func call(_ method: HTTPMethod, _ path: String, _ json: String? = nil) async -> APIResponse {
            let response = await api.call(method, path, token: token, json: json)
            responses.append(response)
            return response
        }
        #expect(await call(.post, "/api/tenants", #"{"id":"acme","name":"Acme"}"#).status == 201)
        #expect(await call(.post, "/api/tenants", #"{"id":"beta","name":"Beta"}"#).status == 201)
        let telegram = await call(
            .post, "/api/tenants/acme/channels",
            #"{"kind":"telegram","name":"support","secret":"\#(secrets[0])","settings":{"allowed_users":["ann"]}}"#)
        #expect(telegram.status == 201)
        #expect(telegram.json["secret_set"] as? Bool == true)
        #expect(
            await call(
                .post, "/api/tenants/beta/channels",
                #"{"kind":"slack","name":"ops","secrets":{"bot_token":"\#(secrets[2])","app_token":"\#(secrets[4])"}}"#
            ).status == 201)
        let config = await call(
            .patch, "/api/tenants/acme/config", #"{"provider":"openrouter","api_key":"\#(secrets[1])"}"#)
        #expect(config.json["api_key_set"] as? Bool == true)
        let channelID = try #require(telegram.json["id"] as? Int)
        // Renaming re-seals the secret under the new name; replacing it seals a new one.
        #expect(await call(.patch, "/api/tenants/acme/channels/\(channelID)", #"{"name":"helpdesk"}"#).status == 200)
        #expect(
            await call(.patch, "/api/tenants/acme/channels/\(channelID)", #"{"secret":"\#(secrets[3])"}"#).status == 200
        )
        // Refused writes that carry a secret must not echo it either.
        _ = await call(
            .post, "/api/tenants/acme/channels", #"{"kind":"telegram","name":"BAD NAME","secret":"\#(secrets[0])"}"#)
        _ = await call(.patch, "/api/tenants/acme/config", #"{"api_key":"\#(secrets[1])","bogus":1}"#)
        for path in [
            "/api/tenants", "/api/tenants/acme", "/api/tenants/acme/channels", "/api/tenants/beta/channels",
            "/api/tenants/acme/config", "/api/tenants/acme/members", "/api/tenants/acme/status", "/api/users",
            "/api/monitoring/audit?limit=1000", "/api/monitoring/dashboard", "/api/monitoring/health", "/api/auth/me",
            "/api/auth/tokens",
        ] {
            #expect(await call(.get, path).status == 200, "\(path)")
        }
        let audit = try await api.store.read { try await $0.auditEvents(AuditQuery(limit: 1000)) }
        #expect(
            audit.events.contains { $0.action == "channel.create" }
                && audit.events.contains { $0.action == "tenant.config_update" })
        let auditText = audit.events.map { "\($0)" }.joined()
        let logText = logs.renderedLines().joined(separator: "\n") + logs.renderedLines(format: .json).joined()
        let databaseBytes = try [api.directory.file("zcplatform.db"), api.directory.file("zcplatform.db-wal")]
            .filter { FileManager.default.fileExists(atPath: $0) }
            .map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        for secret in secrets {
            for response in responses { #expect(!response.text.contains(secret), "a response shows \(secret)") }
            #expect(!auditText.contains(secret), "the audit log shows \(secret)")
            #expect(!logText.contains(secret), "the log shows \(secret)")
            for bytes in databaseBytes {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "the database holds \(secret) in the clear")
            }
        }
        // What the store holds opens to the values given, bound to their rows.
        let stored = try await api.store.read { try await $0.storedSecrets() }
        let opened = try stored.map { try api.platform.vault.open($0.sealed, owner: $0.location.owner) }
        #expect(Set(opened) == [secrets[3], secrets[2], secrets[4], secrets[1]])
        await api.close()
    }

    @Test("a ciphertext copied into another tenant's row does not decrypt there")
    func movedCiphertext() async throws {
        let api = try await APIHarness.open()
        try await api.user("root@example.com", admin: true)
        let token = try await api.signIn("root@example.com")
        for id in ["acme", "beta"] {
            _ = await api.call(.post, "/api/tenants", token: token, json: #"{"id":"\#(id)","name":"\#(id)"}"#)
            _ = await api.call(
                .post, "/api/tenants/\(id)/channels", token: token,
                json: #"{"kind":"telegram","name":"support","secret":"secret-of-\#(id)"}"#)
        }
        let channels = try await api.store.read { reader in
            (
                try await reader.channels(of: TenantID(trusted: "acme")).first,
                try await reader.channels(of: TenantID(trusted: "beta")).first
            )
        }
        guard let acme = channels.0, var beta = channels.1, let field = acme.secrets.keys.first,
            let stolen = acme.secrets[field]
        else {
            Issue.record("channels missing")
            return
        }
        beta.secrets[field] = stolen
        let tampered = beta
        try await api.store.withTransaction { try await $0.updateChannel(tampered) }
        let owner = SecretLocation.channelSecret(of: beta, field: field).owner
        #expect(throws: VaultError.doesNotOpen) { _ = try api.platform.vault.open(stolen, owner: owner) }
        #expect(
            try api.platform.vault.open(stolen, owner: SecretLocation.channelSecret(of: acme, field: field).owner)
                == "secret-of-acme")
        await api.close()
    }
}
