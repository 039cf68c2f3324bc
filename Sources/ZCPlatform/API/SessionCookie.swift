import ZCCore
import ZCCrypto
import ZCHTTP

/// The console's sign-in: a session token in the `zcplatform_session` cookie (`HttpOnly`, so no script
/// reads it; `SameSite=Strict`, so no other site sends it; `Secure` behind TLS). An `/api` request that
/// carries the cookie and no `Authorization` is authenticated by it, as by that bearer token; one that
/// writes (any method but GET and HEAD) must also carry `X-CSRF-Token`, a value derived from the token
/// that the console reads from its sign-in answer and keeps in memory only.
public struct SessionCookie: Middleware {
    public static let name = "zcplatform_session"
    public static let csrfHeader = "X-CSRF-Token"

    public init() {}

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        guard request.path.hasPrefix("/api/"), !request.headers.contains("Authorization"),
            !BearerAuthentication.open.contains(request.path), let token = Self.token(in: request)
        else {
            return try await next(request, context)
        }
        let csrf = Self.csrfToken(for: token)
        if request.method != .get && request.method != .head {
            guard let sent = request.headers[Self.csrfHeader], ConstantTime.equals(Array(sent.utf8), Array(csrf.utf8))
            else {
                throw Failure.forbidden(
                    "a request signed in by the console's cookie must carry the \(Self.csrfHeader) header it was given")
            }
        }
        var request = request
        request.headers.set("Authorization", "Bearer \(token)")
        request.headers.remove("Cookie")
        var context = context
        context[ConsoleSessionKey.self] = csrf
        return try await next(request, context)
    }

    /// The session token in the request's cookies, when it has the shape of one.
    static func token(in request: HTTPRequest) -> String? {
        for field in request.headers.values("Cookie") {
            for pair in field.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].drop(while: { $0 == " " }) == name else { continue }
                let value = String(parts[1])
                guard value.hasPrefix(BearerToken.prefix), value.utf8.count <= 128 else { return nil }
                return value
            }
        }
        return nil
    }

    /// The CSRF token of a session: an HMAC of a fixed label under the session token, which only the
    /// server and the page it answered know.
    static func csrfToken(for token: String) -> String {
        let code = (try? HMACSHA256.authenticationCode(for: "zcplatform console csrf v1", key: token)) ?? []
        return Base64URL.encode(code)
    }

    /// The `Set-Cookie` value that holds `token` until `expiresAt`.
    static func setting(_ token: String, expiresAt: Timestamp, now: Timestamp = .now(), secure: Bool) -> String {
        attributes("\(name)=\(token)", maxAge: max(0, expiresAt.seconds - now.seconds), secure: secure)
    }

    /// The `Set-Cookie` value that removes the cookie.
    static func clearing(secure: Bool) -> String { attributes("\(name)=", maxAge: 0, secure: secure) }

    private static func attributes(_ pair: String, maxAge: Int64, secure: Bool) -> String {
        "\(pair); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Whether the client reached the platform over TLS (a proxy in front says so in `X-Forwarded-Proto`).
    static func isSecure(_ request: HTTPRequest) -> Bool {
        request.headers["X-Forwarded-Proto"]?.lowercased() == "https"
    }
}

/// The CSRF token of the cookie session that authenticated the request; absent for bearer tokens.
struct ConsoleSessionKey: RequestContextKey {
    typealias Value = String
}
