import ZCCore
import ZCCrypto
import ZCHTTP

/// `/api/auth`: one-time codes, the caller's profile, logout, API tokens.
enum AuthRoutes {
    struct CodeRequest: StrictDecodable {
        let email: String
        static let fields: Set<String> = ["email"]
    }

    struct CodeVerification: StrictDecodable {
        let email: String
        let code: String
        static let fields: Set<String> = ["email", "code"]
    }

    struct TokenRequest: StrictDecodable {
        let name: String
        let expiresInDays: Int?
        static let fields: Set<String> = ["name", "expires_in_days"]
    }

    static func register(in router: inout Router, auth: AuthService, store: any Store) {
        router.post("/api/auth/otp/request") { request, context in
            let body = try JSONBody.decode(CodeRequest.self, from: request)
            try await auth.requestCode(email: body.email, clientIP: context.remoteAddress)
            return JSONBody.response(
                ["status": "sent", "detail": "if the address belongs to a user, a code is on its way"],
                status: .accepted)
        }
        router.post("/api/auth/otp/verify") { request, context in
            let body = try JSONBody.decode(CodeVerification.self, from: request)
            let (token, stored, user) = try await auth.verify(
                email: body.email, code: body.code, clientIP: context.remoteAddress)
            return JSONBody.response(
                SessionView(token: token.value, expiresAt: stored.expiresAt, user: UserView(user)))
        }
        router.get("/api/auth/me") { _, context in
            let principal = try context.principal()
            let memberships = try await store.read { reader in
                try await reader.tenants(TenantFilter(memberUserID: principal.user.id, limit: 10_000))
            }
            var roles: [MembershipView] = []
            for tenant in memberships {
                if let role = try await store.read({ try await $0.role(ofUser: principal.user.id, in: tenant.id) }) {
                    roles.append(MembershipView(tenantId: tenant.id.rawValue, role: role.rawValue))
                }
            }
            return JSONBody.response(MeView(user: UserView(principal.user), memberships: roles))
        }
        router.post("/api/auth/logout") { _, context in
            try await auth.logout(try context.principal(), clientIP: context.remoteAddress)
            return HTTPResponse(status: .noContent)
        }
        router.get("/api/auth/tokens") { _, context in
            let principal = try context.principal()
            let tokens = try await store.read { try await $0.accessTokens(ofUser: principal.user.id) }
            return JSONBody.response(tokens.map(TokenView.init))
        }
        router.post("/api/auth/tokens") { request, context in
            let principal = try context.principal()
            let body = try JSONBody.decode(TokenRequest.self, from: request)
            let (token, stored) = try await auth.createAPIToken(
                for: principal, name: body.name, days: body.expiresInDays ?? 90, clientIP: context.remoteAddress)
            return JSONBody.response(CreatedTokenView(token: token.value, details: TokenView(stored)), status: .created)
        }
        router.delete("/api/auth/tokens/{id}") { _, context in
            guard let id = Int64(try context.parameter("id")) else { throw HTTPError(.notFound, "no such token") }
            try await auth.revokeToken(id: id, by: try context.principal(), clientIP: context.remoteAddress)
            return HTTPResponse(status: .noContent)
        }
    }
}
