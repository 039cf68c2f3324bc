import ZCCore
import ZCHTTP

/// One log line per request: method, route, path, status, duration, bytes, client, request id.
/// Never the query (it may hold tokens), headers or bodies. The request hands the log a fixed-size
/// `AccessRecord` of values it already holds; the log's writer thread formats it.
public struct AccessLog: Middleware {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, response.status, response.body, started)
            return response
        } catch {
            let answer = FailureResponses.response(for: error, context: context)
            log(request, context, answer.status, answer.body, started)
            throw error
        }
    }

    private func log(
        _ request: HTTPRequest, _ context: RequestContext, _ status: HTTPStatus, _ body: HTTPResponseBody,
        _ started: ContinuousClock.Instant
    ) {
        let elapsed = (ContinuousClock.now - started).components
        let bytes: Int?
        switch body {
        case .empty: bytes = 0
        case .bytes(let content): bytes = content.count
        case .stream: bytes = nil
        }
        logger.access(
            AccessRecord(
                method: request.method.rawValue, route: context.route, path: request.path, status: status.code,
                nanoseconds: elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000, bytes: bytes,
                client: context.remoteAddress, requestID: context.requestID))
    }
}
