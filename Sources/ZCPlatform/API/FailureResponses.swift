import ZCCore
import ZCHTTP

/// The one place where the platform's failures become HTTP answers. Services, the store, the runtimes
/// and the plugins throw `PublicError`s that say what kind of failure they met; this maps each kind to
/// a status, the body `{"error": "…"}` and, where the kind calls for one, a header. Anything else is a
/// 500 with the request id, its detail only in the log.
public enum FailureResponses {
    public static func status(of kind: FailureKind) -> HTTPStatus {
        switch kind {
        case .invalid: .unprocessableContent
        case .notFound: .notFound
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .unauthenticated: .unauthorized
        case .rateLimited: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .timedOut: .gatewayTimeout
        case .misdirected: .misdirectedRequest
        case .dependencyFailed: .badGateway
        case .internalFailure: .internalServerError
        }
    }

    public static func response(for error: any Error, context: RequestContext) -> HTTPResponse {
        guard let failure = error as? any PublicError else {
            return RouterResponder.response(for: error, context: context)
        }
        var response = JSONBody.response(["error": failure.publicMessage], status: status(of: failure.failureKind))
        switch failure.failureKind {
        case .unauthenticated: response.headers.set("WWW-Authenticate", "Bearer")
        case .rateLimited, .unavailable:
            // RFC 9110 §10.2.3: how long a 429 or a 503 lasts.
            if let seconds = failure.retryAfterSeconds { response.headers.set("Retry-After", String(seconds)) }
        default: break
        }
        return response
    }
}

/// Turns whatever the routes and the middleware inside it throw into the answer `FailureResponses`
/// gives, so that the access log and the request metrics outside it see every answer as a response.
public struct FailureMapping: Middleware {
    public init() {}

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        do {
            return try await next(request, context)
        } catch {
            return FailureResponses.response(for: error, context: context)
        }
    }
}
