import Foundation
import Testing
import ZCCore
import ZCHTTP
import ZCPlatform

/// The one place where failures become answers: each kind its status, the headers its kind calls for,
/// and anything unknown a 500 with the request id, logged once.
@Suite("Failures answered at the API edge")
struct FailureResponsesTests {
    struct Unexpected: Error {}

    static let statuses: [FailureKind: Int] = [
        .invalid: 422, .notFound: 404, .conflict: 409, .forbidden: 403, .unauthenticated: 401,
        .rateLimited: 429, .unavailable: 503, .timedOut: 504, .dependencyFailed: 502, .internalFailure: 500,
        .misdirected: 421,
    ]

    func responder(_ handler: InMemoryLogHandler) -> RouterResponder {
        var router = Router()
        router.use(AccessLog(logger: Logger(label: "http", handler: handler)))
        router.use(FailureMapping())
        router.get("/domain") { _, _ in
            throw TenantTransitionError(action: .stop, status: .stopped, allowed: [.running])
        }
        router.get("/kind/{kind}") { _, context in
            throw Failure(FailureKind(rawValue: try context.parameter("kind"))!, "a failure", retryAfterSeconds: 30)
        }
        router.get("/store") { _, _ in throw StoreError(.busy, "database is locked") }
        router.get("/runtime") { _, _ in throw ContainerRuntimeError.imageNotFound("zeroclaw:x") }
        router.get("/invalid") { _, _ in throw ValidationError(field: "plan", "unknown plan 'gold'") }
        router.get("/boom") { _, _ in throw Unexpected() }
        return router.responder(logger: Logger(label: "http", handler: handler))
    }

    func body(_ response: HTTPResponse) -> [String: String] {
        guard case .bytes(let bytes) = response.body,
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return [:] }
        return object.mapValues { "\($0)" }
    }

    @Test("each kind of failure has its status; 401 says how to authenticate, 429 and 503 when to retry")
    func kinds() async {
        let responder = responder(InMemoryLogHandler())
        for kind in FailureKind.allCases {
            let response = await responder.test(.get, "/kind/\(kind.rawValue)")
            #expect(response.status.code == Self.statuses[kind], "\(kind)")
            #expect(body(response) == ["error": "a failure"])
            #expect((response.headers["WWW-Authenticate"] == "Bearer") == (kind == .unauthenticated), "\(kind)")
            #expect(
                (response.headers["Retry-After"] == "30") == [.rateLimited, .unavailable].contains(kind), "\(kind)")
        }
    }

    @Test("the core's own errors: a transition 409, the store busy 503, a missing image 422, a bad field 422")
    func coreErrors() async {
        let responder = responder(InMemoryLogHandler())
        let domain = await responder.test(.get, "/domain")
        #expect(domain.status.code == 409)
        #expect(body(domain)["error"]?.contains("cannot stop a tenant in status 'stopped'") == true)
        let store = await responder.test(.get, "/store")
        #expect(store.status.code == 503)
        #expect(body(store) == ["error": "the database is temporarily unavailable; retry"])
        #expect(await responder.test(.get, "/runtime").status.code == 422)
        let invalid = await responder.test(.get, "/invalid")
        #expect(invalid.status.code == 422)
        #expect(body(invalid) == ["error": "plan: unknown plan 'gold'"])
    }

    @Test("anything else: 500 with the request id; its detail logged once, never answered")
    func unexpected() async {
        let handler = InMemoryLogHandler()
        let boom = await responder(handler).test(.get, "/boom")
        #expect(boom.status.code == 500)
        #expect(body(boom) == ["error": "internal error", "request_id": "test-request"])
        let lines = handler.renderedLines()
        #expect(lines.filter { $0.contains("event=http.internal_error") }.count == 1, "\(lines)")
        #expect(lines.contains { $0.contains("event=http.request") && $0.contains("status=500") })
    }
}
