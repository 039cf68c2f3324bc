/// What a route runs: the request and its context in, a response out. Throw `HTTPError` (or any
/// `HTTPStatusError`) to answer with a status; anything else becomes a 500.
public typealias RouteHandler = @Sendable (HTTPRequest, RequestContext) async throws -> HTTPResponse

/// Wraps every request: may answer itself, change the request or context, or call `next`.
public protocol Middleware: Sendable {
    func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
}
