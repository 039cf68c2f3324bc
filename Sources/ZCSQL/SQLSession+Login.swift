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

    func authAttemptCounts(email: String, clientIP: String, since: Timestamp) async throws -> AuthAttemptCounts {
        func count(_ query: SQLQuery) async throws -> Int { try await firstRow(query)?.int("n") ?? 0 }
        return AuthAttemptCounts(
            email: try await count("SELECT COUNT(*) AS n FROM auth_attempts WHERE email = \(email) AND at >= \(since)"),
            client: try await count(
                "SELECT COUNT(*) AS n FROM auth_attempts WHERE client_ip = \(clientIP) AND at >= \(since)"),
            all: try await count("SELECT COUNT(*) AS n FROM auth_attempts WHERE at >= \(since)"))
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

    func countLoginCodeGuess(id: Int64, limit: Int) async throws -> Int? {
        try await firstRow(
            """
            UPDATE login_codes SET attempts = attempts + 1 \
            WHERE id = \(id) AND consumed_at IS NULL AND attempts < \(limit) RETURNING attempts
            """
        )?.int("attempts")
    }

    func recordAuthAttempt(email: String, clientIP: String, kind: String, at time: Timestamp) async throws {
        try await run(
            """
            INSERT INTO auth_attempts (email, client_ip, kind, at) VALUES (\(email), \(clientIP), \(kind), \(time))
            """)
    }

    func lockAuthLimits(_ keys: [String], at time: Timestamp) async throws {
        for key in keys {
            try await run(
                """
                INSERT INTO auth_limits (key, touched_at) VALUES (\(key), \(time)) \
                ON CONFLICT (key) DO UPDATE SET touched_at = excluded.touched_at
                """)
        }
    }

    func noteAuthRefusal(key: String, at time: Timestamp, windowStart: Timestamp) async throws -> Bool {
        try await firstRow(
            """
            INSERT INTO auth_limits (key, touched_at, refused_at) VALUES (\(key), \(time), \(time)) \
            ON CONFLICT (key) DO UPDATE SET touched_at = excluded.touched_at, refused_at = excluded.refused_at \
            WHERE auth_limits.refused_at IS NULL OR auth_limits.refused_at < \(windowStart) RETURNING key
            """) != nil
    }
}
