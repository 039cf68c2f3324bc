import ZCCore
import ZCCrypto

/// `zcplatform bootstrap --admin-email E`: creates the first super-admin and one API token for them.
///
/// Idempotent: run again with the same email it changes nothing and issues no token; once any
/// super-admin exists, a different email is refused (add users through the API instead).
public enum Bootstrap {
    public enum Outcome: Sendable, Equatable {
        /// The admin was created; the token is shown once.
        case created(user: User, token: BearerToken)
        case alreadyBootstrapped(email: String)
    }

    public struct AlreadyBootstrapped: Error, PublicError, CustomStringConvertible {
        public let existing: [String]
        public var failureKind: FailureKind { .conflict }
        public var publicMessage: String {
            "already bootstrapped: super-admin \(existing.joined(separator: ", ")) exists; add users through the API"
        }
        public var description: String { publicMessage }
    }

    public static func run(
        email: String, store: any Store, tokenLifetimeDays: Int, now: Timestamp = .now()
    ) async throws -> Outcome {
        let newUser = try NewUser(email: email, isSuperAdmin: true, createdAt: now)
        let token = try BearerToken.generate()
        let tokenHash = token.hash
        return try await store.withTransaction { transaction in
            let admins = try await transaction.users().filter { $0.isSuperAdmin && !$0.isDisabled }
            if admins.contains(where: { $0.email == newUser.email }) {
                return .alreadyBootstrapped(email: newUser.email)
            }
            guard admins.isEmpty else { throw AlreadyBootstrapped(existing: admins.map(\.email)) }
            let user: User
            if var existing = try await transaction.user(email: newUser.email) {
                existing.isSuperAdmin = true
                existing.isDisabled = false
                try await transaction.updateUser(existing)
                user = existing
            } else {
                user = try await transaction.insertUser(newUser)
            }
            let stored = try await transaction.insertAccessToken(
                NewAccessToken(
                    userID: user.id, kind: .api, name: "bootstrap", tokenHash: tokenHash, createdAt: now,
                    expiresAt: now.adding(seconds: Int64(tokenLifetimeDays) * 86_400)))
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: now, actor: "system:cli", action: "user.bootstrap", target: "user:\(user.id)",
                    detail: ["email": .string(user.email), "token_id": .number(Double(stored.id))]))
            return .created(user: user, token: token)
        }
    }
}
