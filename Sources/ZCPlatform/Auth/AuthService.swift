import ZCCore
import ZCCrypto

/// Sign-in by one-time email code, sessions, API tokens, and the check of every bearer token.
///
/// No answer tells whether an email belongs to a user: requesting a code answers the same either way,
/// and every failed verification is the same 401. At most `otpMaxAttempts` requests and verifications
/// per email per window; beyond, 429 with `Retry-After`. Every attempt is audited in the transaction that
/// records its effect.
public final class AuthService: Sendable {
    let store: any Store
    let notifier: any Notifier
    let settings: PlatformConfiguration.Auth
    let logger: Logger
    /// Principals of tokens seen within `auth.token_cache_ms`.
    public let principals: PrincipalCache

    public init(store: any Store, notifier: any Notifier, settings: PlatformConfiguration.Auth, logger: Logger) {
        self.store = store
        self.notifier = notifier
        self.settings = settings
        self.logger = logger
        principals = PrincipalCache(lifetime: .milliseconds(settings.tokenCacheMilliseconds))
    }

    // MARK: One-time codes

    /// Sends a login code to `email` when it belongs to an enabled user; answers alike otherwise.
    public func requestCode(email rawEmail: String, clientIP: String, now: Timestamp = .now()) async throws {
        let email = try EmailAddress.normalize(rawEmail)
        let code = try LoginCodeHasher.newCode()
        let salt = try SecureRandom.bytes(16)
        let expires = now.adding(seconds: Int64(settings.otpTTLSeconds))
        let outcome = try await store.withTransaction { transaction -> CodeRequest in
            if let refusal = try await self.admit(
                email: email, clientIP: clientIP, kind: "otp.request", now: now, in: transaction)
            {
                return .refused(refusal)
            }
            let user = try await transaction.user(email: email)
            let deliver = user.map { !$0.isDisabled } ?? false
            if deliver {
                _ = try await transaction.insertLoginCode(
                    NewLoginCode(
                        email: email, codeHash: LoginCodeHasher.hash(code, salt: salt), salt: salt, createdAt: now,
                        expiresAt: expires))
            }
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: now, actor: email, action: "auth.code_requested", clientIP: clientIP,
                    detail: ["delivered": .bool(deliver)]))
            return deliver ? .deliver : .unknown
        }
        switch outcome {
        case .refused(let refusal): throw refusal.error(retryAfter: settings.otpWindowSeconds)
        case .unknown: return
        case .deliver: break
        }
        do {
            try await notifier.send(
                Notification(
                    kind: .loginCode, severity: .info, title: "Your zcplatform login code",
                    body: "Your login code is \(code). It expires in \(settings.otpTTLSeconds / 60) minutes.",
                    recipient: email, at: now))
        } catch {
            // The answer stays the one an unknown address gets; the operator reads why in the log.
            logger.error("auth.code_not_delivered", ["notifier": notifier.name, "error": "\(error)"])
        }
    }

    private enum CodeRequest: Sendable {
        case deliver, unknown
        case refused(AuthLimitRefusal)
    }

    private enum Verification: Sendable {
        case signedIn(AccessToken, User)
        case failed
        case refused(AuthLimitRefusal)
    }

    /// Exchanges a correct code for a session token. Each guess is counted on the code by one
    /// conditional update: at most `otpMaxGuesses` are ever counted, however many arrive at once, and the
    /// code is dead after the last.
    public func verify(
        email rawEmail: String, code: String, clientIP: String, now: Timestamp = .now()
    ) async throws
        -> (token: BearerToken, stored: AccessToken, user: User)
    {
        guard let email = try? EmailAddress.normalize(rawEmail) else { throw Self.invalidCode }
        let token = try BearerToken.generate()
        let maxGuesses = settings.otpMaxGuesses
        let outcome = try await store.withTransaction { transaction -> Verification in
            if let refusal = try await self.admit(
                email: email, clientIP: clientIP, kind: "otp.verify", now: now, in: transaction)
            {
                return .refused(refusal)
            }
            func fail(_ reason: String) async throws -> Verification {
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: now, actor: email, action: "auth.login_failed", clientIP: clientIP,
                        detail: ["reason": .string(reason)]))
                return .failed
            }
            guard let stored = try await transaction.activeLoginCode(email: email, at: now) else {
                return try await fail("no active code")
            }
            guard let guesses = try await transaction.countLoginCodeGuess(id: stored.id, limit: maxGuesses) else {
                return try await fail("no guesses left")
            }
            guard LoginCodeHasher.matches(code, hash: stored.codeHash, salt: stored.salt) else {
                if guesses >= maxGuesses {
                    try await transaction.consumeLoginCode(id: stored.id, at: now)
                }
                return try await fail("wrong code")
            }
            try await transaction.consumeLoginCode(id: stored.id, at: now)
            guard var user = try await transaction.user(email: email), !user.isDisabled else {
                return try await fail("disabled user")
            }
            user.lastLoginAt = now
            try await transaction.updateUser(user)
            let session = try await Self.recordSession(
                token, of: user, expiresAt: now.adding(seconds: Int64(self.settings.sessionTTLHours) * 3600),
                clientIP: clientIP, now: now, in: transaction)
            return .signedIn(session, user)
        }
        switch outcome {
        case .signedIn(let stored, let user): return (token, stored, user)
        case .failed: throw Self.invalidCode
        case .refused(let refusal): throw refusal.error(retryAfter: settings.otpWindowSeconds)
        }
    }

    static let invalidCode = Failure.unauthenticated("invalid or expired code")

    /// Exchanges a token the caller pasted (an API token, or a session) for a new session of the same
    /// user, which lives no longer than the token: the console keeps that one in its cookie, never the
    /// pasted token. A token with a scope cannot sign in.
    public func session(
        exchanging pasted: String, clientIP: String, now: Timestamp = .now()
    ) async throws
        -> (token: BearerToken, stored: AccessToken, user: User)
    {
        let principal = try await authenticate(authorization: "Bearer \(pasted)", now: now)
        if let scope = principal.token.scope {
            throw Failure.forbidden("a token with a scope (\(scope.rawValue)) cannot sign in to the console")
        }
        let token = try BearerToken.generate()
        let expires = min(
            now.adding(seconds: Int64(settings.sessionTTLHours) * 3600), principal.token.expiresAt)
        let session = try await store.withTransaction { transaction in
            try await Self.recordSession(
                token, of: principal.user, expiresAt: expires, clientIP: clientIP,
                detail: ["with": .string("token:\(principal.token.id)")], now: now, in: transaction)
        }
        return (token, session, principal.user)
    }

    /// A new session for `user`, stored by its hash and audited as `auth.login` in the caller's transaction.
    private static func recordSession(
        _ token: BearerToken, of user: User, expiresAt: Timestamp, clientIP: String,
        detail: [String: JSONValue] = [:], now: Timestamp, in transaction: any StoreTransaction
    ) async throws -> AccessToken {
        let session = try await transaction.insertAccessToken(
            NewAccessToken(
                userID: user.id, kind: .session, name: nil, tokenHash: token.hash, createdAt: now,
                expiresAt: expiresAt))
        try await transaction.appendAudit(
            NewAuditEvent(
                at: now, actor: user.email, action: "auth.login", target: "token:\(session.id)", clientIP: clientIP,
                detail: detail))
        return session
    }

    /// Checks the attempt against every limit and records it, in the caller's transaction and under the
    /// limits' lock, so parallel attempts (on any node) are counted one after another: per email, per
    /// client address, and for everyone. A refused attempt is not recorded; the first refusal of a window
    /// is audited (`auth.rate_limited`), the rest only counted, so a flood cannot grow the database.
    private func admit(
        email: String, clientIP: String, kind: String, now: Timestamp, in transaction: any StoreTransaction
    ) async throws -> AuthLimitRefusal? {
        let keys = AuthLimitKeys(email: email, clientIP: clientIP)
        // One lock for every attempt: the global count must be exact too, and an attempt refused for an
        // address or an email creates no row of its own before it is refused.
        try await transaction.lockAuthLimits([keys.global], at: now)
        let since = now.adding(seconds: -Int64(settings.otpWindowSeconds))
        let counts = try await transaction.authAttemptCounts(email: email, clientIP: clientIP, since: since)
        let refusal: AuthLimitRefusal? =
            if counts.all >= settings.globalMaxAttempts {
                AuthLimitRefusal(scope: .everyone, key: keys.global)
            } else if counts.client >= settings.clientMaxAttempts {
                AuthLimitRefusal(scope: .client, key: keys.client)
            } else if counts.email >= settings.otpMaxAttempts {
                AuthLimitRefusal(scope: .email, key: keys.email)
            } else {
                nil
            }
        guard let refusal else {
            try await transaction.recordAuthAttempt(email: email, clientIP: clientIP, kind: kind, at: now)
            return nil
        }
        if try await transaction.noteAuthRefusal(key: refusal.key, at: now, windowStart: since) {
            logger.notice("auth.rate_limited", ["limit": refusal.scope.rawValue, "client": clientIP])
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: now, actor: email, action: "auth.rate_limited", clientIP: clientIP,
                    detail: ["limit": .string(refusal.scope.rawValue)]))
        }
        return refusal
    }

    // MARK: Bearer tokens

    /// The caller behind `Authorization: Bearer …`, checked against the store now: the token exists,
    /// is neither expired nor revoked, and its user exists and is enabled. Otherwise a 401.
    public func authenticate(authorization: String?, now: Timestamp = .now()) async throws -> Principal {
        guard let value = Self.bearerValue(authorization) else {
            throw Self.unauthenticated("a bearer token is required")
        }
        guard value.hasPrefix(BearerToken.prefix), value.utf8.count <= 128 else {
            throw Self.unauthenticated("invalid token")
        }
        let hash = BearerToken.hash(of: value)
        if let cached = principals.principal(hash: hash), cached.token.isActive(at: now) { return cached }
        let found = try await store.read { reader -> (AccessToken, User)? in
            guard let token = try await reader.accessToken(hash: hash), ConstantTime.equals(token.tokenHash, hash),
                token.isActive(at: now), let user = try await reader.user(id: token.userID), !user.isDisabled
            else { return nil }
            return (token, user)
        }
        guard let (token, user) = found else { throw Self.unauthenticated("invalid, expired or revoked token") }
        if token.lastUsedAt.map({ now.seconds - $0.seconds >= 60 }) ?? true {
            try await store.withTransaction { try await $0.markAccessTokenUsed(id: token.id, at: now) }
        }
        let principal = Principal(user: user, token: token)
        principals.keep(principal, hash: hash, now: now)
        return principal
    }

    /// The token of `Authorization: Bearer <token>` (the scheme in any case, the token trimmed of spaces,
    /// tabs and line ends); nil without one. Read on the header's bytes: it runs on every request.
    static func bearerValue(_ authorization: String?) -> Substring? {
        guard let authorization else { return nil }
        let bytes = authorization.utf8
        guard bytes.count > 7 else { return nil }
        for (index, (byte, expected)) in zip(bytes.prefix(7), "bearer ".utf8).enumerated() {
            // The scheme's letters in either case, then exactly one space.
            guard (index < 6 ? byte | 0x20 : byte) == expected else { return nil }
        }
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        let rest = bytes.dropFirst(7)
        guard let first = rest.firstIndex(where: { !isSpace($0) }), let last = rest.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return Substring(authorization[first...last])
    }

    static func unauthenticated(_ message: String) -> Failure {
        .unauthenticated(message)
    }

    /// Revokes the caller's own token at once.
    public func logout(_ principal: Principal, clientIP: String, now: Timestamp = .now()) async throws {
        try await principals.changing(store) { transaction in
            try await transaction.revokeAccessToken(id: principal.token.id, at: now)
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: now, actor: principal.actor, action: "auth.logout", target: "token:\(principal.token.id)",
                    clientIP: clientIP))
        }
    }

    /// A named API token for automation, shown once.
    /// How long an API token lives when the caller does not say.
    public static let defaultTokenDays = 90

    /// The caller's own tokens, newest first as the store keeps them.
    public func tokens(of principal: Principal) async throws -> [AccessToken] {
        try await store.read { try await $0.accessTokens(ofUser: principal.user.id) }
    }

    public func createAPIToken(
        for principal: Principal, name: String, days: Int, scope: AccessToken.Scope? = nil, clientIP: String,
        now: Timestamp = .now()
    ) async throws -> (token: BearerToken, stored: AccessToken) {
        if scope == .routes, !principal.user.isSuperAdmin {
            throw Failure.forbidden("only a super-admin makes a token for the cluster's routes")
        }
        if principal.token.scope != nil {
            throw Failure.forbidden("a token with a scope cannot make tokens")
        }
        let trimmed = name.trimmingWhitespace()
        // Counted in Unicode scalars, as the document's maxLength counts.
        guard !trimmed.isEmpty, name.unicodeScalars.count <= 100 else {
            throw ValidationError(field: "name", "must be 1 to 100 characters")
        }
        guard (1...settings.apiTokenMaxDays).contains(days) else {
            throw ValidationError(field: "expires_in_days", "must be from 1 to \(settings.apiTokenMaxDays)")
        }
        let token = try BearerToken.generate()
        let stored = try await store.withTransaction { transaction in
            let stored = try await transaction.insertAccessToken(
                NewAccessToken(
                    userID: principal.user.id, kind: .api, name: trimmed, tokenHash: token.hash, createdAt: now,
                    expiresAt: now.adding(seconds: Int64(days) * 86_400), scope: scope))
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: now, actor: principal.actor, action: "token.create", target: "token:\(stored.id)",
                    clientIP: clientIP,
                    detail: [
                        "name": .string(trimmed), "expires_in_days": .number(Double(days)),
                        "scope": scope.map { .string($0.rawValue) } ?? .null,
                    ]))
            return stored
        }
        return (token, stored)
    }

    /// Revokes a token: the caller's own, or anyone's for a super-admin. 404 otherwise (no probing).
    public func revokeToken(id: Int64, by principal: Principal, clientIP: String, now: Timestamp = .now()) async throws
    {
        try await principals.changing(store) { transaction in
            let owned = try await transaction.accessTokens(ofUser: principal.user.id).contains { $0.id == id }
            guard owned || principal.user.isSuperAdmin else { throw Failure.notFound("token \(id) not found") }
            guard try await transaction.revokeAccessToken(id: id, at: now) || owned else {
                throw Failure.notFound("token \(id) not found")
            }
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: now, actor: principal.actor, action: "token.revoke", target: "token:\(id)", clientIP: clientIP))
        }
    }
}
