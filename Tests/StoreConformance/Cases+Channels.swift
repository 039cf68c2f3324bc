import ZCCore

extension StoreConformance {
    static let channelCases: [StoreConformanceCase] = [
        StoreConformanceCase("channel: create, read, list, update, delete; secrets per field kept exactly") { store in
            try await Fixtures.insertTenants(store, ["acme"])
            let acme = Fixtures.id("acme")
            let secret = SealedSecret(bytes: (0..<64).map { UInt8($0 * 3 % 256) } + [0, 0, 255])
            let created = try await store.withTransaction {
                try await $0.insertChannel(
                    NewChannel(
                        tenantID: acme, kind: "telegram", name: "support",
                        settings: ["allowed_users": ["alice", "bob"], "threshold": 3, "verbose": true],
                        secrets: ["bot_token": secret, "app_token": SealedSecret(bytes: [1])], createdAt: Fixtures.now))
            }
            try expectEqual(try await store.read { try await $0.channel(id: created.id) }, created, "read back")
            try expectEqual(created.secrets["bot_token"], secret, "secret bytes")
            try expectEqual(
                try await store.read { try await $0.channels(of: acme) }.first?.secrets,
                ["bot_token": secret, "app_token": SealedSecret(bytes: [1])], "listed with every secret")

            var changed = created
            changed.enabled = false
            changed.settings = ["mode": "quiet"]
            changed.secrets = ["app_token": SealedSecret(bytes: [2])]
            changed.updatedAt = Fixtures.now.adding(seconds: 9)
            let updated = changed
            try await store.withTransaction { try await $0.updateChannel(updated) }
            try expectEqual(try await store.read { try await $0.channels(of: acme) }, [updated], "list")

            try await store.withTransaction { try await $0.deleteChannel(id: created.id) }
            try expectEqual(try await store.read { try await $0.channel(id: created.id) }, nil, "after delete")
            try expectEqual(
                try await store.read { try await $0.rowCounts() }["channel_secrets"], 0, "secrets deleted with it")
        },
        StoreConformanceCase("channel: name unique within a tenant, free across tenants; unknown tenant notFound") {
            store in
            try await Fixtures.insertTenants(store, ["acme", "beta"])
            let channel: @Sendable (String) -> NewChannel = { tenant in
                NewChannel(tenantID: Fixtures.id(tenant), kind: "slack", name: "ops", createdAt: Fixtures.now)
            }
            _ = try await store.withTransaction { try await $0.insertChannel(channel("acme")) }
            _ = try await store.withTransaction { try await $0.insertChannel(channel("beta")) }
            try await expectStoreError(.uniqueViolation) {
                _ = try await store.withTransaction { try await $0.insertChannel(channel("acme")) }
            }
            try await expectStoreError(.notFound) {
                _ = try await store.withTransaction { try await $0.insertChannel(channel("zzz")) }
            }
        },
    ]
}
