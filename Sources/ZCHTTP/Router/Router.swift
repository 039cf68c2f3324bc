import Foundation
import ZCCore

/// Builds the routes and middleware of an API, then freezes into an immutable `RouterResponder`.
///
/// ```swift
/// var router = Router()
/// router.use(LoggingMiddleware())
/// router.get("/api/tenants/{id}") { request, context in … }
/// let responder = router.responder(logger: logger)
/// ```
public struct Router: Sendable {
    private var table = RouteTable()
    private var middleware: [any Middleware] = []
    /// Every route, for documentation checks: method and pattern.
    public private(set) var routes: [(method: HTTPMethod, pattern: String)] = []

    public init() {}

    /// Runs `middleware` around every request, outermost first in the order added.
    public mutating func use(_ middleware: any Middleware) {
        self.middleware.append(middleware)
    }

    public mutating func on(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping RouteHandler) {
        table.add(method, pattern, handler)
        routes.append((method, pattern))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping RouteHandler) { on(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping RouteHandler) { on(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping RouteHandler) { on(.put, pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: @escaping RouteHandler) { on(.patch, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping RouteHandler) { on(.delete, pattern, handler) }

    /// The frozen router, ready to serve.
    public func responder(logger: Logger) -> RouterResponder {
        RouterResponder(table: table, middleware: middleware, logger: logger)
    }
}

/// The immutable router: matches, runs the middleware and the handler, and turns every error into a
/// JSON answer. Errors that carry a status answer with it; anything else is a 500 with the request id,
/// its detail only in the log.
public struct RouterResponder: HTTPResponder {
    let table: RouteTable
    let chain: RouteHandler
    let logger: Logger

    init(table: RouteTable, middleware: [any Middleware], logger: Logger) {
        self.table = table
        self.logger = logger
        var chain: RouteHandler = { request, context in
            guard let pattern = context.route else {
                throw HTTPError(.notFound, "no route for \(request.method) \(request.path)")
            }
            let method = request.method == .head && context.handlers[.head] == nil ? .get : request.method
            guard let handler = context.handlers[method] else {
                var allowed = context.handlers.keys.map(\.rawValue)
                if allowed.contains("GET"), !allowed.contains("HEAD") { allowed.append("HEAD") }
                throw HTTPError(
                    .methodNotAllowed, "\(request.method) is not allowed on \(pattern)",
                    headers: ["Allow": allowed.sorted().joined(separator: ", ")])
            }
            return try await handler(request, context)
        }
        for layer in middleware.reversed() {
            let next = chain
            chain = { request, context in try await layer.handle(request, context: context, next: next) }
        }
        self.chain = chain
    }

    public func respond(to request: HTTPRequest, info: HTTPRequestInfo) async -> HTTPResponse {
        var context = RequestContext(requestID: info.requestID, remoteAddress: info.remoteAddress, logger: logger)
        if let match = table.match(request.path) {
            context.route = match.pattern
            context.parameters = match.parameters
            context.handlers = match.handlers
        }
        var response: HTTPResponse
        do {
            response = try await chain(request, context)
        } catch {
            response = Self.response(for: error, context: context)
        }
        // RFC 9110 §10.2.3: every 503 says when to try again, whichever part of the server gave it.
        if response.status == .serviceUnavailable, !response.headers.contains("Retry-After") {
            response.headers.set("Retry-After", String(Self.retryAfterSeconds))
        }
        return response
    }

    /// What a 503 that names no time of its own tells the client to wait, in seconds.
    public static let retryAfterSeconds = 5

    /// The JSON answer for an error: `{"error": "…"}` (with the request id on a 500).
    public static func response(for error: any Error, context: RequestContext) -> HTTPResponse {
        switch error {
        case let error as HTTPError:
            var response = JSONBody.response(["error": error.message], status: error.status)
            for (name, value) in error.headers { response.headers.set(name, value) }
            return response
        case is CancellationError:
            return JSONBody.response(["error": "the server is shutting down"], status: .serviceUnavailable)
        default:
            context.logger.error(
                "http.internal_error", ["error": String(describing: error), "route": context.route ?? "-"])
            return JSONBody.response(
                ["error": "internal error", "request_id": context.requestID], status: .internalServerError)
        }
    }

    /// Calls the router without sockets: for tests of routes, middleware and errors.
    public func test(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        remoteAddress: String = "127.0.0.1"
    ) async -> HTTPResponse {
        var fields = headers
        if !fields.contains("Host") { fields.add("Host", "test") }
        let request = HTTPRequest(method: method, target: target, headers: fields, body: body)
        return await respond(
            to: request, info: HTTPRequestInfo(requestID: "test-request", remoteAddress: remoteAddress))
    }
}
