import ZCCore

/// The JSON shapes the API answers with. Secrets never appear in them: a secret field reads back
/// only as whether it is set.

struct UserView: Encodable {
    let id: Int64
    let email: String
    let isSuperAdmin: Bool
    let isDisabled: Bool
    let createdAt: Timestamp
    let lastLoginAt: Timestamp?

    init(_ user: User) {
        id = user.id
        email = user.email
        isSuperAdmin = user.isSuperAdmin
        isDisabled = user.isDisabled
        createdAt = user.createdAt
        lastLoginAt = user.lastLoginAt
    }
}

struct SessionView: Encodable {
    let token: String
    let expiresAt: Timestamp
    let user: UserView
}

struct MembershipView: Encodable {
    let tenantId: String
    let role: String
}

struct MeView: Encodable {
    let user: UserView
    let memberships: [MembershipView]
}

struct TokenView: Encodable {
    let id: Int64
    let kind: String
    let name: String?
    let createdAt: Timestamp
    let expiresAt: Timestamp
    let lastUsedAt: Timestamp?
    let revokedAt: Timestamp?

    init(_ token: AccessToken) {
        id = token.id
        kind = token.kind.rawValue
        name = token.name
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
    }
}

struct CreatedTokenView: Encodable {
    /// Shown once; only its hash is kept.
    let token: String
    let details: TokenView
}
