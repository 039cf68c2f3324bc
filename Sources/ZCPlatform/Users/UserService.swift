import ZCCore

/// The platform's users (super-admins manage them): listed, created, flagged, deleted. Nobody removes
/// their own super-admin flag, disables or deletes themselves.
public struct UserService: Sendable {
    let store: any Store
    /// Forgotten when a user's flags change or the user goes, on every node.
    let principals: PrincipalCache

    public init(store: any Store, principals: PrincipalCache) {
        self.store = store
        self.principals = principals
    }

    public func list() async throws -> [User] {
        try await store.read { try await $0.users() }
    }

    public func create(email: String, isSuperAdmin: Bool, by caller: Caller) async throws -> User {
        let now = Timestamp.now()
        let newUser = try NewUser(email: email, isSuperAdmin: isSuperAdmin, createdAt: now)
        return try await store.withTransaction { transaction in
            let user = try await transaction.insertUser(newUser)
            try await transaction.audit(
                "user.create", by: caller, target: "user:\(user.id)",
                detail: ["email": .string(user.email), "is_super_admin": .bool(user.isSuperAdmin)], at: now)
            return user
        }
    }

    /// Sets the flags given (nil leaves one as it is).
    public func update(_ id: Int64, superAdmin: Bool?, disabled: Bool?, by caller: Caller) async throws -> User {
        if id == caller.user?.id, superAdmin == false || disabled == true {
            throw Failure.conflict("you cannot remove your own super-admin flag or disable yourself")
        }
        let now = Timestamp.now()
        return try await principals.changing(store) { transaction in
            guard var user = try await transaction.user(id: id) else { throw Failure.notFound("user \(id) not found") }
            if let superAdmin { user.isSuperAdmin = superAdmin }
            if let disabled { user.isDisabled = disabled }
            try await transaction.updateUser(user)
            var detail: [String: JSONValue] = [:]
            if let superAdmin { detail["is_super_admin"] = .bool(superAdmin) }
            if let disabled { detail["is_disabled"] = .bool(disabled) }
            try await transaction.audit("user.update", by: caller, target: "user:\(id)", detail: detail, at: now)
            return user
        }
    }

    public func delete(_ id: Int64, by caller: Caller) async throws {
        guard id != caller.user?.id else { throw Failure.conflict("you cannot delete yourself") }
        try await principals.changing(store) { transaction in
            guard try await transaction.deleteUser(id: id) else { throw Failure.notFound("user \(id) not found") }
            try await transaction.audit("user.delete", by: caller, target: "user:\(id)")
        }
    }
}
