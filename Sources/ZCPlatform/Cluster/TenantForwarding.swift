import ZCCore
import ZCCrypto
import ZCHTTP

/// Every node answers for every tenant: a request under `/api/tenants/{id}` that reaches a node other
/// than the tenant's is authenticated here and forwarded to the owner over HTTP, marked and signed
/// (`ForwardingSignature`), its answer streamed back as it comes (a followed log included). A marked
/// request is never forwarded again. The owner unreachable (or down) is a 503 with `Retry-After` naming
/// it. It runs before `BearerAuthentication`: requests it keeps go on to it unchanged.
///
/// The hop costs no database round trip once warm: a tenant's owner elsewhere, the nodes' addresses and
/// the caller's authentication are reused for a second or two. None of them decides anything alone: the
/// owner authenticates and authorises the request again from the store, and refuses a tenant it no
/// longer owns. Which tenants are this node's own is always read fresh.
struct TenantForwarding: Middleware {
    let nodeID: String
    let store: any Store
    let auth: AuthService
    let access: TenantAccess
    let signature: ForwardingSignature
    let client: LazyHTTPClient
    /// How long an exec may run on the owner: the forward waits that long and a little more.
    let execTimeout: Duration
    let metrics: ForwardingMetrics
    /// Tenants owned by another node, and which.
    let owners = ExpiringCache<TenantID, String>(ttl: .seconds(1), capacity: 100_000)
    let nodes = ExpiringCache<Int, [Node]>(ttl: .seconds(1), capacity: 1)
    /// Callers authenticated here, by the SHA-256 of their `Authorization` field.
    let callers = ExpiringCache<[UInt8], Principal>(ttl: .seconds(2), capacity: 10_000)

    init(
        nodeID: String, store: any Store, auth: AuthService, access: TenantAccess, signature: ForwardingSignature,
        client: LazyHTTPClient, execTimeout: Duration, metrics: ForwardingMetrics
    ) {
        self.access = access
        self.nodeID = nodeID
        self.store = store
        self.auth = auth
        self.signature = signature
        self.client = client
        self.execTimeout = execTimeout
        self.metrics = metrics
    }

    /// Fields that belong to one connection, not to the request or response carried over it.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization",
        "proxy-connection", "host", "content-length",
    ]

    func handle(_ request: HTTPRequest, context: RequestContext, next: RouteHandler) async throws -> HTTPResponse {
        guard let route = context.route, route == "/api/tenants/{id}" || route.hasPrefix("/api/tenants/{id}/"),
            let raw = context.parameters["id"], let id = try? TenantID(raw),
            // Without a credential there is nothing to forward or tell: authentication, next, answers 401
            // without this reading the tenant for an anonymous client.
            request.headers.contains("Authorization")
        else {
            return try await next(request, context)
        }
        var context = context
        let mark = try signature.check(request)
        if let mark { context[ForwardedKey.self] = mark }
        let owner: String
        // A request another node forwarded here reads the owner afresh: it was sent because this node owns
        // the tenant now, which what this node reused may not know yet.
        if mark == nil, let cached = owners.value(id) {
            owner = cached
        } else {
            let tenant = try await store.tenant(id)
            guard let tenant, let placed = tenant.nodeID, placed != nodeID else {
                owners.remove(id)
                if let target = tenant?.movingTo, !Self.readsOnly(request, context) {
                    try await requireVisible(id, to: try await authenticate(request), context)
                    throw Failure(
                        .unavailable, "tenant '\(id)' is moving to node \(target); try again once it has",
                        retryAfterSeconds: 5)
                }
                return try await next(request, context)
            }
            owner = placed
            owners.set(id, owner)
        }
        if let mark {
            // Placed elsewhere since the sender looked (a move): the sender looks again and sends it there.
            throw Failure(
                .misdirected,
                "tenant '\(id)' lives on node \(owner), not on \(nodeID) where node \(mark.node) forwarded this")
        }
        let principal = try await authenticate(request)
        do {
            let response = try await forward(request, context, tenant: id, owner: owner)
            guard response.status == .misdirectedRequest else { return response }
            // What this node reused was out of date: read the owner afresh and try once more.
            owners.remove(id)
            guard let placed = try await store.tenant(id)?.nodeID, placed != owner else {
                throw Failure(.unavailable, "tenant '\(id)' is changing node; try again", retryAfterSeconds: 1)
            }
            if placed == nodeID { return try await next(request, context) }
            owners.set(id, placed)
            let retried = try await forward(request, context, tenant: id, owner: placed)
            guard retried.status != .misdirectedRequest else {
                throw Failure(.unavailable, "tenant '\(id)' is changing node; try again", retryAfterSeconds: 1)
            }
            return retried
        } catch let failure as Failure where failure.kind == .unavailable {
            // Only a caller who may see the tenant learns where it lives and that its node is away.
            try await requireVisible(id, to: principal, context)
            throw failure
        }
    }

    /// A 404 (or 403) unless the caller may see the tenant: what a 503 would tell is for them alone.
    private func requireVisible(_ id: TenantID, to principal: Principal, _ context: RequestContext) async throws {
        _ = try await access.tenant(
            id.rawValue, for: .readTenant,
            by: Caller(user: principal.user, clientIP: context[ForwardedKey.self]?.clientIP ?? context.remoteAddress))
    }

    /// Refuses a caller without a valid token here, before anything is sent on; the caller.
    @discardableResult
    private func authenticate(_ request: HTTPRequest) async throws -> Principal {
        let authorization = request.headers["Authorization"]
        let key = SHA256Digest.hash(authorization ?? "")
        if let known = callers.value(key) { return known }
        let principal = try await auth.authenticate(authorization: authorization)
        if let scope = principal.token.scope {
            throw Failure.forbidden("this token's scope (\(scope.rawValue)) allows only GET /api/cluster/routes")
        }
        callers.set(key, principal)
        return principal
    }

    private func forward(
        _ request: HTTPRequest, _ context: RequestContext, tenant: TenantID, owner: String
    ) async throws -> HTTPResponse {
        let known: [Node]
        if let cached = nodes.value(0) {
            known = cached
        } else {
            known = try await store.read { try await $0.nodes() }
            nodes.set(0, known)
        }
        let node = known.first { $0.id == owner }
        guard let node, node.state != .down, let endpoint = Self.endpoint(node.address) else {
            metrics.refused(node == nil ? "unknown" : "down")
            let why = node.map { $0.state == .down ? "which is down" : "whose address '\($0.address)' is unusable" }
            throw Failure(
                .unavailable,
                "tenant '\(tenant)' lives on node \(owner), \(why ?? "which is not known"); try again later",
                retryAfterSeconds: 10)
        }
        var headers = HTTPHeaders()
        for field in request.headers
        where !Self.hopByHop.contains(field.name.lowercased())
            && !ForwardingSignature.lowercasedHeaders.contains(field.name.lowercased())
        {
            headers.add(field.name, field.value)
        }
        for (name, value) in try signature.sign(request, node: nodeID, clientIP: context.remoteAddress) {
            headers.add(name, value)
        }
        headers.add("X-Request-ID", context.requestID)
        let started = ContinuousClock.now
        let upstream: HTTPClientStream
        do {
            let timeout = context.route?.hasSuffix("/exec") == true ? execTimeout + .seconds(10) : .seconds(30)
            upstream = try await client.client().stream(
                request.method, endpoint, request.target, headers: headers, body: request.body, timeout: timeout)
        } catch let error as HTTPClientError {
            metrics.refused("unreachable")
            context.logger.warning(
                "cluster.forward_failed", ["tenant": tenant.rawValue, "node": owner, "error": error.description])
            throw Failure(
                .unavailable,
                "tenant '\(tenant)' lives on node \(owner) (\(node.address)), which does not answer: \(error); try again",
                retryAfterSeconds: 5)
        }
        metrics.forwarded(ContinuousClock.now - started)
        var response = HTTPResponse(status: upstream.status)
        for field in upstream.headers where !Self.hopByHop.contains(field.name.lowercased()) {
            response.headers.add(field.name, field.value)
        }
        // A small answer is passed on whole; anything larger (a long log) streams through, so a forward
        // never holds more than a buffer of it.
        if let length = upstream.headers["Content-Length"].flatMap(Int.init), length <= Self.bufferedBytes {
            var bytes: [UInt8] = []
            for try await piece in upstream.body { bytes.append(contentsOf: piece) }
            response.body = .bytes(bytes)
        } else {
            response.body = .stream { writer in
                for try await piece in upstream.body { try await writer.write(piece) }
            }
        }
        return response
    }

    /// What a tenant that is moving still answers: itself and its status.
    static func readsOnly(_ request: HTTPRequest, _ context: RequestContext) -> Bool {
        (request.method == .get || request.method == .head)
            && (context.route == "/api/tenants/{id}" || context.route == "/api/tenants/{id}/status")
    }

    /// The largest answer passed on whole (with its `Content-Length`).
    static let bufferedBytes = 1 << 20

    /// `host:port` or `[v6]:port` as an endpoint.
    /// The same rules as `cluster.advertise_address` (`AdvertiseAddress`): nil for what no node could
    /// connect to.
    static func endpoint(_ address: String) -> HTTPEndpoint? {
        (try? AdvertiseAddress.parse(address, key: "address")).map { .tcp(host: $0.host, port: $0.port) }
    }
}

/// The mark of a request another node forwarded here, once checked.
struct ForwardedKey: RequestContextKey {
    typealias Value = ForwardingSignature.Mark
}

/// `zcplatform_cluster_forward_seconds` and `zcplatform_cluster_forwards_refused_total`.
struct ForwardingMetrics: Sendable {
    let seconds: Histogram
    let refusals: Counter

    init(_ registry: MetricsRegistry) {
        seconds = registry.histogram(
            "zcplatform_cluster_forward_seconds",
            help: "Requests forwarded to the tenant's node: time until its answer began.",
            buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
        refusals = registry.counter(
            "zcplatform_cluster_forwards_refused_total",
            help: "Requests for a tenant on another node answered 503: its node unknown, down or unreachable.",
            labels: ["reason"])
    }

    func forwarded(_ duration: Duration) {
        seconds.observe(duration.inSeconds)
    }

    func refused(_ reason: String) {
        refusals.increment(labels: [reason])
    }
}
