import ZCCore

extension SQLSession {
    static var tokenColumns: String {
        "id, user_id, kind, name, token_hash, created_at, expires_at, last_used_at, revoked_at, scope"
    }

    func accessToken(hash: [UInt8]) async throws -> AccessToken? {
        try await firstRow("SELECT \(raw: Self.tokenColumns) FROM access_tokens WHERE token_hash = \(hash)")
            .map(AccessToken.init(row:))
    }

    func accessTokens(ofUser userID: Int64) async throws -> [AccessToken] {
        try await rows("SELECT \(raw: Self.tokenColumns) FROM access_tokens WHERE user_id = \(userID) ORDER BY id")
            .map(AccessToken.init(row:))
    }
}

extension SQLWriteSession {
    func insertAccessToken(_ token: NewAccessToken) async throws -> AccessToken {
        guard
            let row = try await firstRow(
                """
                INSERT INTO access_tokens (user_id, kind, name, token_hash, created_at, expires_at, scope) \
                VALUES (\(token.userID), \(token.kind.rawValue), \(token.name), \(token.tokenHash), \
                \(token.createdAt), \(token.expiresAt), \(token.scope?.rawValue)) RETURNING id
                """)
        else { throw StoreError(.other, "insert into access_tokens returned no id") }
        return AccessToken(
            id: try row.int64("id"), userID: token.userID, kind: token.kind, name: token.name,
            tokenHash: token.tokenHash, createdAt: token.createdAt, expiresAt: token.expiresAt, scope: token.scope)
    }

    func markAccessTokenUsed(id: Int64, at time: Timestamp) async throws {
        try await run("UPDATE access_tokens SET last_used_at = \(time) WHERE id = \(id)")
    }

    func revokeAccessToken(id: Int64, at time: Timestamp) async throws -> Bool {
        try await run("UPDATE access_tokens SET revoked_at = \(time) WHERE id = \(id) AND revoked_at IS NULL") > 0
    }
}

extension AccessToken {
    init(row: SQLRow) throws {
        guard let kind = AccessToken.Kind(rawValue: try row.string("kind")) else {
            throw StoreError(.other, "column 'kind' holds an unknown token kind")
        }
        let scopeText = try row.optionalString("scope")
        let scope = scopeText.flatMap(AccessToken.Scope.init(rawValue:))
        guard scopeText == nil || scope != nil else {
            throw StoreError(.other, "column 'scope' holds an unknown token scope")
        }
        self.init(
            id: try row.int64("id"), userID: try row.int64("user_id"), kind: kind, name: try row.optionalString("name"),
            tokenHash: try row.blob("token_hash"), createdAt: try row.timestamp("created_at"),
            expiresAt: try row.timestamp("expires_at"), lastUsedAt: try row.optionalTimestamp("last_used_at"),
            revokedAt: try row.optionalTimestamp("revoked_at"), scope: scope)
    }
}
