import ZCCore

extension StoreConformance {
    static let authCases: [StoreConformanceCase] = [
        StoreConformanceCase("tenant config: set, replace, read; cascades with the tenant; unknown tenant notFound") {
            store in
            try await Fixtures.insertTenants(store, ["acme"])
            let acme = Fixtures.id("acme")
            try expectEqual(try await store.read { try await $0.tenantConfig(of: acme) }, nil, "none yet")
            var config = TenantConfig(
                tenantID: acme, provider: "openrouter", model: "anthropic/claude-sonnet-4",
                settings: ["temperature": 0.7, "autonomy": "supervised"],
                apiKey: SealedSecret(bytes: [1, 2, 3, 0, 255]),
                updatedAt: Fixtures.now)
            let first = config
            try await store.withTransaction { try await $0.setTenantConfig(first) }
            try expectEqual(try await store.read { try await $0.tenantConfig(of: acme) }, first, "read back")
            config.model = "openai/gpt-4.1"
            config.apiKey = nil
            config.updatedAt = Fixtures.now.adding(seconds: 5)
            let second = config
            try await store.withTransaction { try await $0.setTenantConfig(second) }
            try expectEqual(try await store.read { try await $0.tenantConfig(of: acme) }, second, "replaced")
            try await expectStoreError(.notFound) {
                try await store.withTransaction {
                    try await $0.setTenantConfig(TenantConfig(tenantID: Fixtures.id("ghost"), updatedAt: Fixtures.now))
                }
            }
            try await store.withTransaction { try await $0.deleteTenant(acme) }
            try expectEqual(try await store.read { try await $0.rowCounts() }["tenant_configs"], 0, "cascade")
        },
        StoreConformanceCase("sealed secrets: listed with their location, replaced in place") { store in
            try await Fixtures.insertTenants(store, ["acme", "beta"])
            let channel = try await store.withTransaction {
                try await $0.insertChannel(
                    NewChannel(
                        tenantID: Fixtures.id("acme"), kind: "slack", name: "support",
                        secrets: ["bot_token": SealedSecret(bytes: [7]), "app_token": SealedSecret(bytes: [8])],
                        createdAt: Fixtures.now))
            }
            _ = try await store.withTransaction {
                try await $0.insertChannel(
                    NewChannel(tenantID: Fixtures.id("acme"), kind: "slack", name: "nosecret", createdAt: Fixtures.now))
            }
            try await store.withTransaction {
                try await $0.setTenantConfig(
                    TenantConfig(
                        tenantID: Fixtures.id("beta"), apiKey: SealedSecret(bytes: [9]), updatedAt: Fixtures.now))
            }
            let secrets = try await store.read { try await $0.storedSecrets() }
            try expectEqual(
                secrets,
                [
                    StoredSecret(
                        location: .channel(
                            id: channel.id, tenantID: Fixtures.id("acme"), name: "support", kind: "slack",
                            field: "app_token"),
                        sealed: SealedSecret(bytes: [8])),
                    StoredSecret(
                        location: .channel(
                            id: channel.id, tenantID: Fixtures.id("acme"), name: "support", kind: "slack",
                            field: "bot_token"),
                        sealed: SealedSecret(bytes: [7])),
                    StoredSecret(location: .tenantAPIKey(Fixtures.id("beta")), sealed: SealedSecret(bytes: [9])),
                ], "every secret, with its location")
            try expectEqual(
                secrets.map(\.location.owner),
                [
                    "tenant:acme/channel:support/secret/app_token", "tenant:acme/channel:support/secret",
                    "tenant:beta/config/api_key",
                ], "owner strings: the field a kind's one secret lived in keeps its first owner")
            for secret in secrets {
                let stale = try await store.withTransaction {
                    try await $0.replaceSealedSecret(
                        at: secret.location, expected: SealedSecret(bytes: [0]), with: SealedSecret(bytes: [42]))
                }
                try expect(!stale, "not replaced when the row holds another ciphertext")
                let replaced = try await store.withTransaction {
                    try await $0.replaceSealedSecret(
                        at: secret.location, expected: secret.sealed, with: SealedSecret(bytes: [42]))
                }
                try expect(replaced, "replaced \(secret.location)")
            }
            try expectEqual(
                try await store.read { try await $0.storedSecrets() }.map(\.sealed),
                [SealedSecret(bytes: [42]), SealedSecret(bytes: [42]), SealedSecret(bytes: [42])],
                "new ciphertexts")
        },
        StoreConformanceCase("login codes: newest usable one, consumed once, wrong guesses counted, expiry") { store in
            @Sendable func code(_ hash: UInt8, expires: Int64) -> NewLoginCode {
                NewLoginCode(
                    email: "a@example.com", codeHash: [hash], salt: [0, 1], createdAt: Fixtures.now,
                    expiresAt: Fixtures.now.adding(seconds: expires))
            }
            let old = try await store.withTransaction { try await $0.insertLoginCode(code(1, expires: 600)) }
            let new = try await store.withTransaction { try await $0.insertLoginCode(code(2, expires: 600)) }
            let active = try await store.read { try await $0.activeLoginCode(email: "a@example.com", at: Fixtures.now) }
            try expectEqual(active?.id, new.id, "the newest code")
            try expect(old.id != new.id, "distinct ids")
            try expectEqual(
                try await store.withTransaction { try await $0.countLoginCodeGuess(id: new.id, limit: 2) }, 1)
            try expectEqual(
                try await store.withTransaction { try await $0.countLoginCodeGuess(id: new.id, limit: 2) }, 2)
            try expectEqual(
                try await store.withTransaction { try await $0.countLoginCodeGuess(id: new.id, limit: 2) }, nil,
                "no guess counted past the limit")
            try expectEqual(
                try await store.read { try await $0.activeLoginCode(email: "a@example.com", at: Fixtures.now) }?
                    .attempts, 2,
                "wrong guesses")
            try await store.withTransaction { try await $0.consumeLoginCode(id: new.id, at: Fixtures.now) }
            try expectEqual(
                try await store.withTransaction { try await $0.countLoginCodeGuess(id: new.id, limit: 10) }, nil,
                "a used code takes no guess")
            try expectEqual(
                try await store.read { try await $0.activeLoginCode(email: "a@example.com", at: Fixtures.now) }?.id,
                old.id,
                "a used code is no longer active")
            try expectEqual(
                try await store.read {
                    try await $0.activeLoginCode(email: "a@example.com", at: Fixtures.now.adding(seconds: 600))
                }, nil, "expired codes are not active")
            try expectEqual(
                try await store.read { try await $0.activeLoginCode(email: "b@example.com", at: Fixtures.now) }, nil,
                "per email")
        },
        StoreConformanceCase("auth attempts: counted per email, per client and in all within a window; pruned") {
            store in
            try await store.withTransaction { transaction in
                for second in Int64(0)..<6 {
                    try await transaction.recordAuthAttempt(
                        email: "a@example.com", clientIP: "192.0.2.1", kind: "otp.verify",
                        at: Fixtures.now.adding(seconds: second * 100))
                }
                try await transaction.recordAuthAttempt(
                    email: "b@example.com", clientIP: "192.0.2.2", kind: "otp.verify", at: Fixtures.now)
                try await transaction.recordAuthAttempt(
                    email: "c@example.com", clientIP: "192.0.2.1", kind: "otp.request",
                    at: Fixtures.now.adding(seconds: 400))
            }
            let window = try await store.read {
                try await $0.authAttemptCounts(
                    email: "a@example.com", clientIP: "192.0.2.1", since: Fixtures.now.adding(seconds: 250))
            }
            try expectEqual(window, AuthAttemptCounts(email: 3, client: 4, all: 4), "attempts at 300, 400 and 500")
            let pruned = try await store.prune(
                .authAttempts, olderThan: Fixtures.now.adding(seconds: 250), batchSize: 2)
            try expectEqual(pruned, 4, "three of a, one of b")
            try expectEqual(try await store.read { try await $0.rowCounts() }["auth_attempts"], 4, "kept")
        },
        StoreConformanceCase("auth limits: a lock row per key; the first refusal of a window is told apart; pruned") {
            store in
            try await store.withTransaction { try await $0.lockAuthLimits(["global"], at: Fixtures.now) }
            try await store.withTransaction { try await $0.lockAuthLimits(["global"], at: Fixtures.now) }
            let windowStart = Fixtures.now.adding(seconds: -300)
            @Sendable func refuse(_ key: String, at time: Timestamp, since: Timestamp) async throws -> Bool {
                try await store.withTransaction { try await $0.noteAuthRefusal(key: key, at: time, windowStart: since) }
            }
            try expect(try await refuse("global", at: Fixtures.now, since: windowStart), "first refusal")
            try expect(!(try await refuse("global", at: Fixtures.now.adding(seconds: 10), since: windowStart)), "again")
            try expect(try await refuse("client:192.0.2.9", at: Fixtures.now, since: windowStart), "a new key")
            try expect(
                try await refuse(
                    "global", at: Fixtures.now.adding(seconds: 400), since: Fixtures.now.adding(seconds: 100)),
                "the first of a later window")
            try expectEqual(try await store.read { try await $0.rowCounts() }["auth_limits"], 2, "one row per key")
            let pruned = try await store.prune(.authLimits, olderThan: Fixtures.now.adding(seconds: 100), batchSize: 10)
            try expectEqual(pruned, 1, "the client row, untouched since")
        },
    ]
}
