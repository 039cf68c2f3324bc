import Foundation
import Synchronization
import Testing
import ZCCore
import ZCHTTP

struct UserKey: RequestContextKey {
    typealias Value = String
}

/// Records the order middleware runs in.
struct TraceMiddleware: Middleware {
    let name: String
    let trace: Trace

    func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse {
        trace.add("\(name) in")
        var context = context
        context[UserKey.self] = name
        var response = try await next(request, context)
        response.headers.add("X-Through", name)
        trace.add("\(name) out")
        return response
    }
}

final class Trace: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

struct Failure: Error {}

@Suite("Router and middleware, without sockets")
struct RouterTests {
    func router(trace: Trace = Trace(), handler: InMemoryLogHandler = InMemoryLogHandler()) -> RouterResponder {
        var router = Router()
        router.use(TraceMiddleware(name: "outer", trace: trace))
        router.use(TraceMiddleware(name: "inner", trace: trace))
        router.get("/api/tenants") { _, _ in JSONBody.response(["list": "all"]) }
        router.post("/api/tenants") { request, _ in
            struct Create: StrictDecodable {
                let id: String
                let planName: String?
                static let fields: Set<String> = ["id", "plan_name"]
            }
            let body = try JSONBody.decode(Create.self, from: request)
            return JSONBody.response(["created": body.id, "plan": body.planName ?? "default"], status: .created)
        }
        router.get("/api/tenants/{id}") { _, context in
            JSONBody.response(["id": try context.parameter("id"), "user": context[UserKey.self] ?? "-"])
        }
        router.delete("/api/tenants/{id}") { _, context in JSONBody.response(["deleted": try context.parameter("id")]) }
        router.get("/api/tenants/{id}/status") { _, context in
            JSONBody.response(["status": try context.parameter("id")])
        }
        router.get("/api/tenants/special") { _, _ in JSONBody.response(["literal": "wins"]) }
        router.get("/files/{path...}") { _, context in JSONBody.response(["path": try context.parameter("path")]) }
        router.get("/conflict") { _, _ in throw HTTPError(.conflict, "already running") }
        router.get("/domain") { _, _ in
            throw TenantTransitionError(action: .stop, status: .stopped, allowed: [.running])
        }
        router.get("/boom") { _, _ in throw Failure() }
        router.get("/limited") { _, _ in throw HTTPError(.tooManyRequests, "slow down", headers: ["Retry-After": "30"])
        }
        return router.responder(logger: Logger(label: "test", handler: handler))
    }

    func json(_ response: HTTPResponse) -> [String: String] {
        guard case .bytes(let bytes) = response.body,
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return [:] }
        return object.mapValues { "\($0)" }
    }

    @Test("routes match literals before parameters, decode parameters, ignore a trailing slash")
    func matching() async {
        let responder = router()
        #expect(json(await responder.test(.get, "/api/tenants/acme")) == ["id": "acme", "user": "inner"])
        #expect(json(await responder.test(.get, "/api/tenants/special")) == ["literal": "wins"])
        #expect(json(await responder.test(.get, "/api/tenants/acme/status/")) == ["status": "acme"])
        #expect(json(await responder.test(.get, "/api/tenants/a%20b")) == ["id": "a b", "user": "inner"])
        #expect(json(await responder.test(.get, "/files/a/b/c.txt")) == ["path": "a/b/c.txt"])
        #expect(json(await responder.test(.get, "/api/tenants?limit=5")) == ["list": "all"])
    }

    @Test("404 for an unknown path, 405 with Allow for a known path and another method")
    func notFoundAndMethodNotAllowed() async {
        let responder = router()
        let missing = await responder.test(.get, "/nope")
        #expect(missing.status == .notFound)
        #expect(json(missing)["error"]?.contains("no route") == true)
        let wrong = await responder.test(.put, "/api/tenants/acme")
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.headers["Allow"] == "DELETE, GET, HEAD")
        #expect(await responder.test(.head, "/api/tenants").status == .ok, "HEAD is answered by GET")
    }

    @Test("middleware wraps every request in order, also the unmatched ones")
    func middlewareOrder() async {
        let trace = Trace()
        let responder = router(trace: trace)
        let response = await responder.test(.get, "/api/tenants")
        #expect(trace.all == ["outer in", "inner in", "inner out", "outer out"])
        #expect(response.headers.values("X-Through") == ["inner", "outer"])
        _ = await responder.test(.get, "/nope")
        #expect(trace.all.count == 6, "middleware sees 404s too (it raised inside)")
    }

    @Test("errors carry their status; anything else is a 500 with the request id, detail only in the log")
    func errors() async {
        let handler = InMemoryLogHandler()
        let responder = router(handler: handler)
        let conflict = await responder.test(.get, "/conflict")
        #expect(conflict.status == .conflict)
        #expect(json(conflict) == ["error": "already running"])
        // The router itself knows only HTTPError: a domain failure is answered by the platform's
        // FailureMapping middleware (FailureResponsesTests), and reaching the router bare is a 500.
        let domain = await responder.test(.get, "/domain")
        #expect(domain.status.code == 500)
        let limited = await responder.test(.get, "/limited")
        #expect(limited.headers["Retry-After"] == "30")
        let boom = await responder.test(.get, "/boom")
        #expect(boom.status == .internalServerError)
        #expect(json(boom) == ["error": "internal error", "request_id": "test-request"])
        let logged = handler.renderedLines()
        #expect(
            logged.contains {
                $0.contains("event=http.internal_error") && $0.contains("Failure")
                    && $0.contains("request_id=test-request")
            })
    }

    @Test("JSON bodies: decoded with snake_case; wrong type, missing field, bad JSON, wrong media type")
    func jsonBodies() async {
        let responder = router()
        let ok = await responder.test(
            .post, "/api/tenants", headers: ["Content-Type": "application/json"],
            body: Array(#"{"id": "acme", "plan_name": "pro"}"#.utf8))
        #expect(ok.status == .created)
        #expect(json(ok) == ["created": "acme", "plan": "pro"])
        let cases: [(String, String?, Int, String)] = [
            (#"{"id": 5}"#, "application/json", 422, "id must be a string"),
            (#"{"plan_name": "x"}"#, "application/json", 422, "missing field 'id'"),
            (#"{"id": "#, "application/json", 400, "not valid JSON"),
            (#"{"id": "a"}"#, "text/plain", 415, "application/json"),
            (#"{"id": "a", "plan": "x"}"#, "application/json", 422, "unknown field 'plan'"),
            (#"["id"]"#, "application/json", 422, "the body must be"),
            ("", "application/json", 400, "a JSON body is required"),
        ]
        for (body, type, status, message) in cases {
            var headers = HTTPHeaders()
            if let type { headers.add("Content-Type", type) }
            let response = await responder.test(.post, "/api/tenants", headers: headers, body: Array(body.utf8))
            #expect(response.status.code == status, "\(body)")
            #expect(json(response)["error"]?.contains(message) == true, "\(body): \(json(response))")
        }
    }
}
