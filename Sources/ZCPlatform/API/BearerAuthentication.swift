import ZCCore
import ZCHTTP

/// Requires `Authorization: Bearer <token>` on every `/api` request except the login endpoints, and
/// puts the caller in the context. The token and the user are read from the store on each request, so
/// a revoked token or a disabled user is refused at once.
public struct BearerAuthentication: Middleware {
    let auth: AuthService
    /// Paths reachable without a token.
    static let open: Set<String> = ["/api/auth/otp/request", "/api/auth/otp/verify", "/api/auth/session"]

    /// What a token with `scope` may call.
    static func allows(_ scope: AccessToken.Scope, _ request: HTTPRequest, _ context: RequestContext) -> Bool {
        switch scope {
        case .routes:
            (request.method == .get || request.method == .head) && context.route == "/api/cluster/routes"
        }
    }

    public init(auth: AuthService) {
        self.auth = auth
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        guard request.path.hasPrefix("/api/") || request.path == "/api", !Self.open.contains(request.path) else {
            return try await next(request, context)
        }
        let principal = try await auth.authenticate(authorization: request.headers["Authorization"])
        if let scope = principal.token.scope, !Self.allows(scope, request, context) {
            throw Failure.forbidden("this token's scope (\(scope.rawValue)) allows only GET /api/cluster/routes")
        }
        var context = context
        context[PrincipalKey.self] = principal
        context.logger = context.logger.with("user", String(principal.user.id))
        return try await next(request, context)
    }
}
