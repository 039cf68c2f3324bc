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
    /// The name over TLS: a `__Host-` cookie is `Secure`, host-only and `Path=/`, so no page on a sibling
    /// host (a tenant's agent under the same domain) can plant one that the browser would send instead.
    public static let hostName = "__Host-zcplatform_session"
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

    /// The session token in the request's cookies: the `__Host-` one when there is one, else the first
    /// plain one that has the shape of a token (a malformed one, planted or stale, is passed over, not a
    /// reason to sign the operator out).
    static func token(in request: HTTPRequest) -> String? {
        var plain: String?
        for field in request.headers.values("Cookie") {
            for pair in field.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let key = parts[0].drop(while: { $0 == " " })
                let value = String(parts[1])
                guard key == hostName || key == name, value.hasPrefix(BearerToken.prefix), value.utf8.count <= 128
                else { continue }
                if key == hostName { return value }
                plain = plain ?? value
            }
        }
        return plain
    }

    /// Refuses a sign-in another site started, even a same-site one (a tenant's agent on a sibling host):
    /// browsers say where a request comes from in `Sec-Fetch-Site`; a client that says nothing (curl, a
    /// script) is not a page another site drives. (`Origin` is not compared with `Host`: a reverse proxy
    /// may rewrite `Host`.) With JSON required, a browser that sends neither still preflights the request,
    /// which this server never allows across origins.
    static func requireSameOrigin(_ request: HTTPRequest) throws {
        if let site = request.headers["Sec-Fetch-Site"]?.lowercased(), site != "same-origin", site != "none" {
            throw Failure.forbidden("a sign-in must come from the console's own page (Sec-Fetch-Site: \(site))")
        }
    }

    /// The CSRF token of a session: an HMAC of a fixed label under the session token, which only the
    /// server and the page it answered know.
    static func csrfToken(for token: String) -> String {
        let code = (try? HMACSHA256.authenticationCode(for: "zcplatform console csrf v1", key: token)) ?? []
        return Base64URL.encode(code)
    }

    /// The `Set-Cookie` value that holds `token` until `expiresAt` (`__Host-` over TLS).
    static func setting(_ token: String, expiresAt: Timestamp, now: Timestamp = .now(), secure: Bool) -> String {
        attributes(
            "\(secure ? hostName : name)=\(token)", maxAge: max(0, expiresAt.seconds - now.seconds), secure: secure)
    }

    /// The `Set-Cookie` value that removes the cookie.
    static func clearing(secure: Bool) -> String {
        attributes("\(secure ? hostName : name)=", maxAge: 0, secure: secure)
    }

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
