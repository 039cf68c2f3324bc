/// Sets on every answer the fields that keep a browser from misusing it: no framing, no type sniffing,
/// no referrer, and a Content-Security-Policy that allows only this origin's own scripts and styles
/// (no inline script or style, no plug-ins, no `<base>`).
public struct SecurityHeaders: Middleware {
    public static let contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        + "frame-ancestors 'none'"

    public init() {}

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        var response = try await next(request, context)
        Self.apply(to: &response)
        return response
    }

    public static func apply(to response: inout HTTPResponse) {
        response.headers.set("Content-Security-Policy", contentSecurityPolicy)
        response.headers.set("X-Frame-Options", "DENY")
        response.headers.set("X-Content-Type-Options", "nosniff")
        response.headers.set("Referrer-Policy", "no-referrer")
    }
}
