/// What a route runs: the request and its context in, a response out. Throw `HTTPError` to answer with
/// a status; anything else becomes a 500, unless a middleware turns it into an answer first.
public typealias RouteHandler = @Sendable (HTTPRequest, RequestContext) async throws -> HTTPResponse

/// Wraps every request: may answer itself, change the request or context, or call `next`.
public protocol Middleware: Sendable {
    func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
}
