import Glibc
import ZCCore
import ZCHTTP

/// The API's metrics: requests by route and status, latency by route, open and refused connections.
/// It is both the router's middleware and the server's observer.
public struct HTTPMetrics: Middleware, HTTPServerObserver {
    let requests: Counter
    let latency: Histogram
    let open: Gauge
    let refused: Counter
    let refusedConnections: Counter
    let acceptErrors: Counter
    let logger: Logger?

    public init(registry: MetricsRegistry, logger: Logger? = nil) {
        self.logger = logger
        refusedConnections = registry.counter(
            "zcplatform_http_connections_refused_total",
            help: "Connections closed as soon as accepted: the server full, or the client at its own cap.",
            labels: ["reason"])
        acceptErrors = registry.counter(
            "zcplatform_http_accept_errors_total",
            help: "Failed accept calls (out of descriptors or memory); the listener backs off.", labels: ["error"])
        requests = registry.counter(
            "zcplatform_http_requests_total", help: "API requests answered, by route pattern and status.",
            labels: ["route", "status"])
        latency = registry.histogram(
            "zcplatform_http_request_duration_seconds", help: "Time from a parsed request to its response, by route.",
            labels: ["route"],
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
        open = registry.gauge("zcplatform_http_open_connections", help: "Client connections open now.")
        refused = registry.counter(
            "zcplatform_http_refused_total",
            help:
                "Requests refused before routing (malformed, too large, too slow) and connections over the limit, by status.",
            labels: ["status"])
        open.set(0)
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse
    {
        let started = ContinuousClock.now
        let route = context.route ?? "unmatched"
        let response: HTTPResponse
        do {
            response = try await next(request, context)
        } catch {
            let answer = FailureResponses.response(for: error, context: context)
            record(route, answer.status, since: started)
            throw error
        }
        record(route, response.status, since: started)
        return response
    }

    private func record(_ route: String, _ status: HTTPStatus, since started: ContinuousClock.Instant) {
        requests.increment(labels: [route, String(status.code)])
        latency.observe((ContinuousClock.now - started).inSeconds, labels: [route])
    }

    public func connectionOpened() { open.add(1) }
    public func connectionClosed() { open.add(-1) }
    public func requestRefused(status: HTTPStatus, reason: String, remoteAddress: String) {
        refused.increment(labels: [String(status.code)])
    }
    public func connectionRefused(_ reason: ConnectionRefusal) {
        refused.increment(labels: ["503"])
        refusedConnections.increment(labels: [reason.rawValue])
    }

    public func acceptFailed(_ error: SocketError, retryIn: Duration, consecutive: Int) {
        acceptErrors.increment(labels: [Self.errorName(error.code)])
        // Once per episode: a listener out of descriptors fails many times a second.
        if consecutive == 1 {
            logger?.warning(
                "http.accept_failed",
                [
                    "error": error.description, "retry_in_ms": Int(retryIn / .milliseconds(1)),
                    "detail": "connections wait in the backlog until descriptors or memory free up",
                ])
        }
    }

    public func acceptRecovered(after failures: Int) {
        logger?.notice("http.accept_recovered", ["failures": failures])
    }

    static func errorName(_ code: Int32) -> String {
        switch code {
        case EMFILE: "EMFILE"
        case ENFILE: "ENFILE"
        case ENOMEM: "ENOMEM"
        case ENOBUFS: "ENOBUFS"
        default: "errno_\(code)"
        }
    }
}
