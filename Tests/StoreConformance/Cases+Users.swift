import ZCCore

extension StoreConformance {
    static let userCases: [StoreConformanceCase] = [
        StoreConformanceCase("user: create, read by id and email, list, update, delete") { store in
            let admin = try await store.withTransaction {
                try await $0.insertUser(try Fixtures.user("Admin@Example.COM", admin: true))
            }
            try expectEqual(admin.email, "admin@example.com", "email is stored lower-cased")
            try expect(admin.isSuperAdmin && !admin.isDisabled, "flags as created")
            let byEmail = try await store.user(email: "ADMIN@example.com")
            try expectEqual(byEmail, admin, "lookup by email ignores case")
            let byID = try await store.read { try await $0.user(id: admin.id) }
            try expectEqual(byID, admin, "lookup by id")

            var changed = admin
            changed.isDisabled = true
            changed.isSuperAdmin = false
            changed.lastLoginAt = Fixtures.now.adding(seconds: 5)
            let updated = changed
            try await store.withTransaction { try await $0.updateUser(updated) }
            try expectEqual(try await store.read { try await $0.user(id: admin.id) }, updated, "after update")

            let second = try await store.withTransaction { try await $0.insertUser(try Fixtures.user("b@example.com")) }
            try expectEqual(
                try await store.read { try await $0.users() }.map(\.id), [admin.id, second.id], "list in id order")
            try await store.withTransaction { try await $0.deleteUser(id: admin.id) }
            try expectEqual(try await store.read { try await $0.user(id: admin.id) }, nil, "after delete")
            try expectEqual(try await store.user(email: "not an email"), nil, "an invalid email finds nobody")
        },
        StoreConformanceCase("user: duplicate email is uniqueViolation and the error hides the value") { store in
            try await store.withTransaction {
                _ = try await $0.insertUser(try Fixtures.user("secret-person@example.com"))
            }
            let error = try await expectStoreError(.uniqueViolation) {
                try await store.withTransaction {
                    _ = try await $0.insertUser(try Fixtures.user("SECRET-person@example.com"))
                }
            }
            try expect(!"\(error)".contains("secret-person"), "error description must not carry the bound value")
            try expect(!error.publicMessage.contains("secret-person"), "public message must not carry the value")
        },
        StoreConformanceCase("membership: set, change role, list, remove; user delete cascades") { store in
            try await Fixtures.insertTenants(store, ["acme"])
            let user = try await store.withTransaction { try await $0.insertUser(try Fixtures.user("m@example.com")) }
            let acme = Fixtures.id("acme")
            try await store.withTransaction {
                try await $0.setMembership(
                    Membership(tenantID: acme, userID: user.id, role: .viewer, createdAt: Fixtures.now))
            }
            try expectEqual(
                try await store.read { try await $0.role(ofUser: user.id, in: acme) }, .viewer, "role after set")
            try await store.withTransaction {
                try await $0.setMembership(
                    Membership(tenantID: acme, userID: user.id, role: .manager, createdAt: Fixtures.now))
            }
            try expectEqual(
                try await store.read { try await $0.role(ofUser: user.id, in: acme) }, .manager, "role after change")
            try await Fixtures.insertTenants(store, ["beta", "gamma"])
            try await store.withTransaction {
                try await $0.setMembership(
                    Membership(
                        tenantID: Fixtures.id("gamma"), userID: user.id, role: .contributor, createdAt: Fixtures.now))
            }
            try expectEqual(
                try await store.read { try await $0.roles(ofUser: user.id) }.map { "\($0.tenant)=\($0.role)" },
                ["acme=manager", "gamma=contributor"], "every role of the user, in one read, by tenant id")
            _ = try await store.withTransaction {
                try await $0.removeMembership(tenantID: Fixtures.id("gamma"), userID: user.id)
            }
            try expectEqual(
                try await store.read { try await $0.members(of: acme) },
                [Membership(tenantID: acme, userID: user.id, role: .manager, createdAt: Fixtures.now)], "members")
            let removed = try await store.withTransaction {
                try await $0.removeMembership(tenantID: acme, userID: user.id)
            }
            try expect(removed, "remove reports the membership existed")
            try expectEqual(try await store.read { try await $0.role(ofUser: user.id, in: acme) }, nil, "gone")

            try await store.withTransaction {
                try await $0.setMembership(
                    Membership(tenantID: acme, userID: user.id, role: .owner, createdAt: Fixtures.now))
            }
            try await store.withTransaction { try await $0.deleteUser(id: user.id) }
            try expectEqual(try await store.read { try await $0.members(of: acme) }, [], "user delete cascades")
        },
        StoreConformanceCase("membership: unknown user is foreignKeyViolation, unknown tenant notFound") { store in
            try await Fixtures.insertTenants(store, ["acme"])
            try await expectStoreError(.foreignKeyViolation) {
                try await store.withTransaction {
                    try await $0.setMembership(
                        Membership(
                            tenantID: Fixtures.id("acme"), userID: 424242, role: .viewer, createdAt: Fixtures.now)
                    )
                }
            }
            let user = try await store.withTransaction { try await $0.insertUser(try Fixtures.user("m@example.com")) }
            try await expectStoreError(.notFound) {
                try await store.withTransaction {
                    try await $0.setMembership(
                        Membership(
                            tenantID: Fixtures.id("nope"), userID: user.id, role: .viewer, createdAt: Fixtures.now)
                    )
                }
            }
        },
        StoreConformanceCase("tenant with a user's role: the member's role, nil for others, nil for no tenant") {
            store in
            let (member, outsider) = try await store.withTransaction { transaction in
                try await transaction.insertTenant(Fixtures.tenant("alpha", status: .running, node: "n1"))
                try await transaction.insertTenant(Fixtures.tenant("beta"))
                let member = try await transaction.insertUser(try Fixtures.user("member@example.com"))
                let outsider = try await transaction.insertUser(try Fixtures.user("outsider@example.com"))
                try await transaction.setMembership(
                    Membership(
                        tenantID: Fixtures.id("alpha"), userID: member.id, role: .contributor, createdAt: Fixtures.now))
                try await transaction.setMembership(
                    Membership(
                        tenantID: Fixtures.id("beta"), userID: outsider.id, role: .owner, createdAt: Fixtures.now))
                return (member, outsider)
            }
            let (own, other, missing, plain) = try await store.read { reader in
                (
                    try await reader.tenant(Fixtures.id("alpha"), roleOfUser: member.id),
                    try await reader.tenant(Fixtures.id("alpha"), roleOfUser: outsider.id),
                    try await reader.tenant(Fixtures.id("gamma"), roleOfUser: member.id),
                    try await reader.tenant(Fixtures.id("alpha"))
                )
            }
            try expectEqual(own?.tenant, plain, "the tenant as tenant(_:) reads it")
            try expectEqual(own?.role, .contributor, "the member's role")
            try expectEqual(other?.tenant, plain, "another user's read of it")
            try expect(other != nil && other?.role == nil, "no role for a user who is not a member")
            try expect(missing == nil, "no tenant, no answer")
        },
    ]
}
