import ZCCore

extension SQLSession {
    static var userColumns: String { "id, email, is_super_admin, is_disabled, created_at, last_login_at" }

    func user(id: Int64) async throws -> User? {
        try await firstRow("SELECT \(raw: Self.userColumns) FROM users WHERE id = \(id)").map(User.init(row:))
    }

    func user(email: String) async throws -> User? {
        guard let normalized = try? EmailAddress.normalize(email) else { return nil }
        return try await firstRow("SELECT \(raw: Self.userColumns) FROM users WHERE email = \(normalized)")
            .map(User.init(row:))
    }

    func users() async throws -> [User] {
        try await rows("SELECT \(raw: Self.userColumns) FROM users ORDER BY id").map(User.init(row:))
    }

    func role(ofUser userID: Int64, in tenantID: TenantID) async throws -> TenantRole? {
        let row = try await firstRow(
            "SELECT role FROM memberships WHERE tenant_key = \(tenantKey(tenantID)) AND user_id = \(userID)")
        return try row.flatMap { TenantRole(rawValue: try $0.string("role")) }
    }

    func roles(ofUser userID: Int64) async throws -> [(tenant: TenantID, role: TenantRole)] {
        try await rows(
            """
            SELECT t.id AS tenant_id, m.role FROM memberships m JOIN tenants t ON t.tenant_key = m.tenant_key \
            WHERE m.user_id = \(userID) ORDER BY t.id
            """
        ).map { row in
            guard let role = TenantRole(rawValue: try row.string("role")) else {
                throw StoreError(.other, "column 'role' holds an unknown role")
            }
            return (TenantID(trusted: try row.string("tenant_id")), role)
        }
    }

    func members(of tenantID: TenantID) async throws -> [Membership] {
        try await rows(
            """
            SELECT user_id, role, created_at FROM memberships WHERE tenant_key = \(tenantKey(tenantID)) \
            ORDER BY user_id
            """
        ).map { row in
            guard let role = TenantRole(rawValue: try row.string("role")) else {
                throw StoreError(.other, "column 'role' holds an unknown role")
            }
            return Membership(
                tenantID: tenantID, userID: try row.int64("user_id"), role: role,
                createdAt: try row.timestamp("created_at"))
        }
    }
}

extension SQLWriteSession {
    func insertUser(_ user: NewUser) async throws -> User {
        guard
            let row = try await firstRow(
                """
                INSERT INTO users (email, is_super_admin, is_disabled, created_at) \
                VALUES (\(user.email), \(user.isSuperAdmin), \(false), \(user.createdAt)) RETURNING id
                """)
        else { throw StoreError(.other, "insert into users returned no id") }
        return User(
            id: try row.int64("id"), email: user.email, isSuperAdmin: user.isSuperAdmin, createdAt: user.createdAt)
    }

    func updateUser(_ user: User) async throws {
        let email = try EmailAddress.normalize(user.email)
        let changed = try await run(
            """
            UPDATE users SET email = \(email), is_super_admin = \(user.isSuperAdmin), \
            is_disabled = \(user.isDisabled), last_login_at = \(user.lastLoginAt) WHERE id = \(user.id)
            """)
        guard changed > 0 else { throw StoreError(.notFound, "user \(user.id) not found") }
    }

    func deleteUser(id: Int64) async throws -> Bool {
        try await run("DELETE FROM users WHERE id = \(id)") > 0
    }

    func setMembership(_ membership: Membership) async throws {
        let changed = try await run(
            """
            INSERT INTO memberships (tenant_key, user_id, role, created_at) \
            SELECT tenant_key, \(membership.userID), \(membership.role.rawValue), \(membership.createdAt) \
            FROM tenants WHERE id = \(membership.tenantID) \
            ON CONFLICT (tenant_key, user_id) DO UPDATE SET role = excluded.role
            """)
        guard changed > 0 else { throw StoreError(.notFound, "tenant '\(membership.tenantID)' not found") }
    }

    func removeMembership(tenantID: TenantID, userID: Int64) async throws -> Bool {
        try await run("DELETE FROM memberships WHERE tenant_key = \(tenantKey(tenantID)) AND user_id = \(userID)") > 0
    }
}

extension User {
    init(row: SQLRow) throws {
        self.init(
            id: try row.int64("id"), email: try row.string("email"), isSuperAdmin: try row.bool("is_super_admin"),
            isDisabled: try row.bool("is_disabled"), createdAt: try row.timestamp("created_at"),
            lastLoginAt: try row.optionalTimestamp("last_login_at"))
    }
}
