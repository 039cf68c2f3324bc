import Foundation
import PostgresStore
import SQLiteStore
import TestSupport
import Testing
import ZCCore
import ZCCrypto

/// Migration 11 moved each channel's lone `channels.secret` into `channel_secrets`, under the field its kind
/// kept it in, and that ciphertext must still open: it was sealed for the channel's old owner string.
/// Each test makes a store at schema 11, takes it back to what schema 10 held, and migrates it again.
@Suite("Channel secrets: migration 11 keeps every secret an older store held")
struct ChannelSecretsMigrationTests {
    /// What schema 10 held: one `channels.secret` per channel (the kind's lone field), no `channel_secrets`.
    static let downgrade = """
        UPDATE channels SET secret = (SELECT s.secret FROM channel_secrets s WHERE s.channel_id = channels.id \
        AND s.field IN ('bot_token', 'access_token', 'password', 'secret'));
        DROP TABLE channel_secrets;
        ALTER TABLE nodes DROP COLUMN vault_key;
        ALTER TABLE nodes DROP COLUMN address_checked_at;
        ALTER TABLE nodes DROP COLUMN address_error;
        DROP TABLE rollout_nodes; DROP TABLE rollout_tenants; DROP TABLE rollouts;
        ALTER TABLE tenants DROP COLUMN image; ALTER TABLE tenants DROP COLUMN image_pinned;
        DELETE FROM schema_migrations WHERE version IN (11, 12, 13);
        """

    /// The channels of schema 10 (each with its one secret, one without) and the plaintexts they held.
    static let legacy: [(kind: String, name: String, secret: String?)] = [
        ("telegram", "support", "TG-LEGACY-1f0c"), ("slack", "team", "SLACK-LEGACY-7a21"),
        ("whatsapp", "phone", "WA-LEGACY-02bd"), ("email", "inbox", "MAIL-LEGACY-99e4"),
        ("webhook", "hook", "HOOK-LEGACY-5c3a"), ("discord", "quiet", nil),
    ]

    /// Fills `store` as schema 10 would have been filled: every secret in the kind's legacy field.
    static func populate(_ store: any Store, vault: Vault) async throws {
        let tenant = Tenant(
            id: TenantID(trusted: "acme"), name: "Acme", plan: "default", createdAt: Timestamp(seconds: 1_790_000_000))
        try await store.withTransaction { transaction in
            try await transaction.insertTenant(tenant)
            for channel in Self.legacy {
                var secrets: [String: SealedSecret] = [:]
                if let secret = channel.secret {
                    let field = SecretLocation.legacySecretField(of: channel.kind)
                    secrets[field] = try vault.seal(secret, owner: "tenant:acme/channel:\(channel.name)/secret")
                }
                _ = try await transaction.insertChannel(
                    NewChannel(
                        tenantID: tenant.id, kind: channel.kind, name: channel.name, secrets: secrets,
                        enabled: false, createdAt: tenant.createdAt))
            }
        }
    }

    /// After the migration ran again: each secret in its kind's field, opening under its location's owner.
    static func check(_ store: any Store, vault: Vault) async throws {
        let channels = try await store.read { try await $0.channels(of: TenantID(trusted: "acme")) }
        #expect(channels.count == Self.legacy.count)
        for expected in Self.legacy {
            let channel = try #require(channels.first { $0.name == expected.name })
            let field = SecretLocation.legacySecretField(of: expected.kind)
            if let secret = expected.secret {
                #expect(channel.secrets.keys.sorted() == [field], "\(expected.name)")
                let sealed = try #require(channel.secrets[field])
                let owner = SecretLocation.channelSecret(of: channel, field: field).owner
                #expect(try vault.open(sealed, owner: owner) == secret, "\(expected.name)")
            } else {
                #expect(channel.secrets.isEmpty, "\(expected.name)")
            }
        }
        let slack = try #require(channels.first { $0.kind == "slack" })
        #expect(SecretLocation.legacySecretField(of: "slack") == "bot_token")
        #expect(
            SecretLocation.channelSecret(of: slack, field: "app_token").owner
                == "tenant:acme/channel:team/secret/app_token",
            "a field added since has an owner of its own")
    }

    @Test("SQLite: the legacy secret moves to its kind's field and opens; channels.secret is cleared")
    func sqlite() async throws {
        guard SQLiteShell.required() else { return }
        let directory = try TemporaryDirectory("zc-migration-11")
        defer { directory.remove() }
        let vault = try Self.vault(in: directory)
        let path = directory.file("zcplatform.db")
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        try await Self.populate(store, vault: vault)
        await store.close()

        let downgraded = try await SQLiteShell.run(path, Self.downgrade)
        #expect(downgraded.status == 0, "\(downgraded.stderr)")
        let held = try await SQLiteShell.run(path, "SELECT count(*) FROM channels WHERE secret IS NOT NULL")
        #expect(held.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "5", "schema 10's five secrets")

        let reopened = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        #expect(try await reopened.migrate().map(\.version) == [11, 12, 13])
        try await Self.check(reopened, vault: vault)
        await reopened.close()
        let cleared = try await SQLiteShell.run(path, "SELECT count(*) FROM channels WHERE secret IS NOT NULL")
        #expect(cleared.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test(
        "PostgreSQL: the legacy secret moves to its kind's field and opens; channels.secret is cleared",
        .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
    func postgres() async throws {
        let directory = try TemporaryDirectory("zc-migration-11")
        defer { directory.remove() }
        let vault = try Self.vault(in: directory)
        let (schema, url) = try PostgresTestDatabase.makeSchema()
        defer { PostgresTestDatabase.dropSchema(schema) }
        let store = PostgresStore(options: PostgresOptions(url: url), logger: .disabled)
        try await store.migrate()
        try await Self.populate(store, vault: vault)
        await store.close()

        try PostgresTestDatabase.execute(url, Self.downgrade)
        let reopened = PostgresStore(options: PostgresOptions(url: url), logger: .disabled)
        #expect(try await reopened.migrate().map(\.version) == [11, 12, 13])
        try await Self.check(reopened, vault: vault)
        await reopened.close()
        // Raises (and so throws) if any channel still holds a secret of its own.
        try PostgresTestDatabase.execute(
            url,
            """
            DO $$ BEGIN IF EXISTS (SELECT 1 FROM channels WHERE secret IS NOT NULL) THEN \
            RAISE EXCEPTION 'channels.secret was left'; END IF; END $$
            """)
    }

    static func vault(in directory: TemporaryDirectory) throws -> Vault {
        let path = directory.file("vault.key")
        _ = try VaultKeyFile.create(path)
        return try Vault(keyFile: path)
    }
}
