import ZCCore

extension StoreConformance {
    static let tokenCases: [StoreConformanceCase] = [
        StoreConformanceCase("access token: store by hash, look up, mark used, revoke, list") { store in
            let user = try await store.withTransaction { try await $0.insertUser(try Fixtures.user("t@example.com")) }
            let hash = (0..<32).map { UInt8($0) }
            let token = try await store.withTransaction {
                try await $0.insertAccessToken(
                    NewAccessToken(
                        userID: user.id, kind: .api, name: "ci deploys", tokenHash: hash, createdAt: Fixtures.now,
                        expiresAt: Fixtures.now.adding(seconds: 3600)))
            }
            try expectEqual(try await store.read { try await $0.accessToken(hash: hash) }, token, "by hash")
            try expectEqual(
                try await store.read { try await $0.accessToken(hash: Array(hash.reversed())) }, nil, "other hash")
            try expect(token.isActive(at: Fixtures.now), "active before expiry")
            try expect(!token.isActive(at: Fixtures.now.adding(seconds: 3600)), "inactive at expiry")

            try await store.withTransaction {
                try await $0.markAccessTokenUsed(id: token.id, at: Fixtures.now.adding(seconds: 1))
            }
            let revoked = try await store.withTransaction {
                try await $0.revokeAccessToken(id: token.id, at: Fixtures.now.adding(seconds: 2))
            }
            try expect(revoked, "revoke reports success")
            let again = try await store.withTransaction {
                try await $0.revokeAccessToken(id: token.id, at: Fixtures.now.adding(seconds: 3))
            }
            try expect(!again, "a second revoke changes nothing")
            let stored = try await store.read { try await $0.accessTokens(ofUser: user.id) }
            try expectEqual(stored.count, 1, "one token")
            try expectEqual(stored.first?.lastUsedAt, Fixtures.now.adding(seconds: 1), "last used")
            try expectEqual(stored.first?.revokedAt, Fixtures.now.adding(seconds: 2), "revoked at the first revoke")
            try expect(stored.first?.isActive(at: Fixtures.now) == false, "a revoked token is inactive")
        },
        StoreConformanceCase("access token: hash unique, unknown user refused, user delete cascades") { store in
            let user = try await store.withTransaction { try await $0.insertUser(try Fixtures.user("t@example.com")) }
            let token = NewAccessToken(
                userID: user.id, kind: .session, name: nil, tokenHash: [1, 2, 3], createdAt: Fixtures.now,
                expiresAt: Fixtures.now.adding(seconds: 60))
            _ = try await store.withTransaction { try await $0.insertAccessToken(token) }
            try await expectStoreError(.uniqueViolation) {
                _ = try await store.withTransaction { try await $0.insertAccessToken(token) }
            }
            var orphan = token
            orphan.userID = 999_999
            orphan.tokenHash = [9, 9, 9]
            try await expectStoreError(.foreignKeyViolation) {
                _ = try await store.withTransaction { [orphan] in try await $0.insertAccessToken(orphan) }
            }
            try await store.withTransaction { try await $0.deleteUser(id: user.id) }
            try expectEqual(try await store.read { try await $0.accessToken(hash: [1, 2, 3]) }, nil, "cascade")
        },
    ]
}
