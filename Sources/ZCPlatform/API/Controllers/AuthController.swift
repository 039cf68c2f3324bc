import ZCCore
import ZCCrypto
import ZCHTTP

/// `/api/auth`: one-time codes, the caller's profile, logout, API tokens (`AuthService`).
struct AuthController: Sendable {
    struct CodeRequest: StrictDecodable {
        let email: String
        static let fields: Set<String> = ["email"]
    }

    struct CodeVerification: StrictDecodable {
        let email: String
        let code: String
        static let fields: Set<String> = ["email", "code"]
    }

    /// `POST /api/auth/session`: an email and its code, or a token pasted once.
    struct SessionRequest: StrictDecodable {
        let email: String?
        let code: String?
        let token: String?
        static let fields: Set<String> = ["email", "code", "token"]
    }

    struct TokenRequest: StrictDecodable {
        let name: String
        let expiresInDays: Int?
        let scope: String?
        static let fields: Set<String> = ["name", "expires_in_days", "scope"]
    }

    let auth: AuthService
    let tenants: TenantService

    func register(in router: inout Router) {
        router.post("/api/auth/otp/request", requestCode)
        router.post("/api/auth/otp/verify", verify)
        router.get("/api/auth/session", session)
        router.post("/api/auth/session", signIn)
        router.get("/api/auth/me", profile)
        router.post("/api/auth/logout", logout)
        router.get("/api/auth/tokens", tokens)
        router.post("/api/auth/tokens", createToken)
        router.delete("/api/auth/tokens/{id}", revokeToken)
    }

    @Sendable func requestCode(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let body = try JSONBody.decode(CodeRequest.self, from: request)
        try await auth.requestCode(email: body.email, clientIP: context.remoteAddress)
        return JSONBody.response(
            ["status": "sent", "detail": "if the address belongs to a user, a code is on its way"], status: .accepted)
    }

    @Sendable func verify(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let body = try JSONBody.decode(CodeVerification.self, from: request)
        let (token, stored, user) = try await auth.verify(
            email: body.email, code: body.code, clientIP: context.remoteAddress)
        return JSONBody.response(SessionView(token: token.value, expiresAt: stored.expiresAt, user: UserView(user)))
    }

    /// The console's sign-in: the session goes into an `HttpOnly` cookie, never into the answer, which
    /// carries the CSRF token the console sends with every write.
    @Sendable func signIn(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        // JSON, said so (a body without a type is what a cross-site `no-cors` fetch can send), from this
        // origin: no other page, not even a tenant's agent on a sibling host, signs a browser in.
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
            throw HTTPError(.unsupportedMediaType, "the body must be application/json")
        }
        try SessionCookie.requireSameOrigin(request)
        let body = try JSONBody.decode(SessionRequest.self, from: request)
        let (token, stored, user): (BearerToken, AccessToken, User)
        switch (body.email, body.code, body.token) {
        case (let email?, let code?, nil):
            (token, stored, user) = try await auth.verify(email: email, code: code, clientIP: context.remoteAddress)
        case (nil, nil, let pasted?):
            (token, stored, user) = try await auth.session(exchanging: pasted, clientIP: context.remoteAddress)
        default:
            throw ValidationError(field: "token", "give either email and code, or token")
        }
        var response = JSONBody.response(
            ConsoleSessionView(
                csrfToken: SessionCookie.csrfToken(for: token.value), expiresAt: stored.expiresAt,
                user: UserView(user)))
        response.headers.add(
            "Set-Cookie",
            SessionCookie.setting(token.value, expiresAt: stored.expiresAt, secure: SessionCookie.isSecure(request)))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// Whether the console's cookie holds a live session: always a 200, so a page that opens signed out
    /// learns it without an error. Signed in, the caller's profile and the CSRF token for its writes.
    @Sendable func session(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        guard let token = SessionCookie.token(in: request),
            let principal = try? await auth.authenticate(authorization: "Bearer \(token)"),
            principal.token.scope == nil
        else {
            var response = JSONBody.response(ConsoleSessionState(signedIn: false, me: nil))
            response.headers.set("Cache-Control", "no-store")
            return response
        }
        var response = JSONBody.response(
            ConsoleSessionState(
                signedIn: true, me: try await me(principal, csrfToken: SessionCookie.csrfToken(for: token))))
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    @Sendable func profile(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        JSONBody.response(try await me(try context.principal(), csrfToken: context[ConsoleSessionKey.self]))
    }

    /// The caller with their memberships (`/me`, and the console's session state).
    private func me(_ principal: Principal, csrfToken: String?) async throws -> MeView {
        let memberships = try await tenants.memberships(of: principal.user).map {
            MembershipView(tenantId: $0.tenant.rawValue, role: $0.role.rawValue)
        }
        return MeView(user: UserView(principal.user), memberships: memberships, csrfToken: csrfToken)
    }

    @Sendable func logout(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        try await auth.logout(try context.principal(), clientIP: context.remoteAddress)
        // A console signed in by cookie forgets it too; a bearer client has none to forget.
        var headers: HTTPHeaders = [:]
        if context[ConsoleSessionKey.self] != nil {
            headers.add("Set-Cookie", SessionCookie.clearing(secure: SessionCookie.isSecure(request)))
        }
        return HTTPResponse(status: .noContent, headers: headers)
    }

    @Sendable func tokens(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        JSONBody.response(try await auth.tokens(of: try context.principal()).map(TokenView.init))
    }

    @Sendable func createToken(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let principal = try context.principal()
        let body = try JSONBody.decode(TokenRequest.self, from: request)
        let scope = try body.scope.map { raw -> AccessToken.Scope in
            guard let scope = AccessToken.Scope(rawValue: raw) else {
                throw ValidationError(
                    field: "scope",
                    "must be one of \(AccessToken.Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return scope
        }
        let (token, stored) = try await auth.createAPIToken(
            for: principal, name: body.name, days: body.expiresInDays ?? AuthService.defaultTokenDays, scope: scope,
            clientIP: context.remoteAddress)
        return JSONBody.response(CreatedTokenView(token: token.value, details: TokenView(stored)), status: .created)
    }

    @Sendable func revokeToken(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        guard let id = Int64(try context.parameter("id")) else { throw HTTPError(.notFound, "no such token") }
        try await auth.revokeToken(id: id, by: try context.principal(), clientIP: context.remoteAddress)
        return HTTPResponse(status: .noContent)
    }
}
