import ZCCore

extension SQLSession {
    func activeLoginCode(email: String, at time: Timestamp) async throws -> LoginCode? {
        try await firstRow(
            """
            SELECT id, email, code_hash, salt, created_at, expires_at, consumed_at, attempts FROM login_codes \
            WHERE email = \(email) AND consumed_at IS NULL AND expires_at > \(time) ORDER BY id DESC LIMIT 1
            """
        ).map { row in
            LoginCode(
                id: try row.int64("id"), email: try row.string("email"), codeHash: try row.blob("code_hash"),
                salt: try row.blob("salt"), createdAt: try row.timestamp("created_at"),
                expiresAt: try row.timestamp("expires_at"), consumedAt: try row.optionalTimestamp("consumed_at"),
                attempts: try row.int("attempts"))
        }
    }

    func authAttempts(email: String, since: Timestamp) async throws -> Int {
        try await firstRow("SELECT COUNT(*) AS n FROM auth_attempts WHERE email = \(email) AND at >= \(since)")?.int(
            "n")
            ?? 0
    }
}

extension SQLWriteSession {
    func insertLoginCode(_ code: NewLoginCode) async throws -> LoginCode {
        guard
            let row = try await firstRow(
                """
                INSERT INTO login_codes (email, code_hash, salt, created_at, expires_at, attempts) \
                VALUES (\(code.email), \(code.codeHash), \(code.salt), \(code.createdAt), \(code.expiresAt), \(0)) \
                RETURNING id
                """)
        else { throw StoreError(.other, "insert into login_codes returned no id") }
        return LoginCode(
            id: try row.int64("id"), email: code.email, codeHash: code.codeHash, salt: code.salt,
            createdAt: code.createdAt, expiresAt: code.expiresAt)
    }

    func consumeLoginCode(id: Int64, at time: Timestamp) async throws {
        try await run("UPDATE login_codes SET consumed_at = \(time) WHERE id = \(id) AND consumed_at IS NULL")
    }

    func countFailedLoginCodeAttempt(id: Int64) async throws {
        try await run("UPDATE login_codes SET attempts = attempts + 1 WHERE id = \(id)")
    }

    func recordAuthAttempt(email: String, kind: String, at time: Timestamp) async throws {
        try await run("INSERT INTO auth_attempts (email, kind, at) VALUES (\(email), \(kind), \(time))")
    }
}
