import ZCCore
import ZCHTTP

/// `/api/tenants`: create (as draft) and list (`TenantService`); read, status, delete, the lifecycle
/// actions, logs and exec (`TenantLifecycle`, each guarded by the status machine).
struct TenantController: Sendable {
    struct Create: StrictDecodable {
        let id: String
        let name: String
        let plan: String?
        static let fields: Set<String> = ["id", "name", "plan"]
    }

    /// `POST /deploy`'s optional body and `POST /move`'s: the node to place the tenant on (super-admins only).
    struct NodeChoice: StrictDecodable {
        let node: String?
        static let fields: Set<String> = ["node"]

        /// The node named, checked: 1 to 253 characters, no control characters; nil when none is.
        static func node(in request: HTTPRequest) throws -> String? {
            guard !request.body.isEmpty, let node = try JSONBody.decode(Self.self, from: request).node else {
                return nil
            }
            guard !node.isEmpty, node.unicodeScalars.count <= 253,
                !node.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw HTTPError(
                    .unprocessableContent, "node must be a node's id: 1 to 253 characters, no control characters")
            }
            return node
        }
    }

    let tenants: TenantService
    let lifecycle: TenantLifecycle
    let authorizer: Authorizer
    /// This node's health checker's last probes, shown on the tenant's read.
    let health: HealthBoard
    let execTimeoutSeconds: Int

    func register(in router: inout Router) {
        router.get("/api/tenants", list)
        router.post("/api/tenants", create)
        router.get("/api/tenants/{id}", read)
        router.patch("/api/tenants/{id}", update)
        router.get("/api/tenants/{id}/status", status)
        router.delete("/api/tenants/{id}", delete)
        router.post("/api/tenants/{id}/deploy", deploy)
        router.post("/api/tenants/{id}/start", start)
        router.post("/api/tenants/{id}/stop", stop)
        router.post("/api/tenants/{id}/restart", restart)
        router.get("/api/tenants/{id}/logs", logs)
        router.post("/api/tenants/{id}/exec", exec)
        router.post("/api/tenants/{id}/move", move)
    }

    /// `POST /api/tenants/{id}/move {"node": "n3"}` (super-admin): 202, the tenant `moving`.
    @Sendable func move(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageCluster, context)
        guard let id = try? TenantID(try context.parameter("id")) else {
            throw Failure.notFound("tenant '\(try context.parameter("id"))' not found")
        }
        if request.body.isEmpty { _ = try JSONBody.decode(NodeChoice.self, from: request) }  // 400: a body is required
        guard let target = try NodeChoice.node(in: request) else {
            throw HTTPError(
                .unprocessableContent, "node must be a node's id: 1 to 253 characters, no control characters")
        }
        let moving = try await lifecycle.requestMove(id, to: target, actor: caller.actor, clientIP: caller.clientIP)
        return JSONBody.response(TenantView(moving), status: .accepted)
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try context.caller()
        let limit = Int(request.queryParameter("limit") ?? "100") ?? -1
        guard (1...1000).contains(limit) else { throw HTTPError(.badRequest, "limit must be from 1 to 1000") }
        let after = try request.queryParameter("after").map { raw -> TenantID in
            guard let id = try? TenantID(raw) else { throw HTTPError(.badRequest, "after must be a tenant id") }
            return id
        }
        var filter = TenantFilter(after: after, limit: limit)
        if let status = request.queryParameter("status") {
            guard let parsed = TenantStatus(rawValue: status) else {
                throw HTTPError(
                    .badRequest,
                    "status must be one of \(TenantStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = parsed
        }
        let page = try await tenants.list(filter, by: caller)
        // A full page may have more after it: the next one starts after its last id (RFC 8288 `Link`).
        var headers: HTTPHeaders = [:]
        if page.count == limit, let last = page.last {
            var next = "/api/tenants?limit=\(limit)&after=\(last.id.rawValue)"
            if let status = filter.status { next += "&status=\(status.rawValue)" }
            headers.add("Link", "<\(next)>; rel=\"next\"")
        }
        return JSONBody.response(writingArray: page.map { TenantView($0) }, rowBytes: 300, headers: headers)
    }

    @Sendable func create(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.createTenant, context)
        let body = try JSONBody.decode(Create.self, from: request)
        let tenant = try await tenants.create(id: body.id, name: body.name, plan: body.plan, by: caller)
        return JSONBody.response(TenantView(tenant), status: .created)
    }

    @Sendable func read(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant, role) = try await authorizer.requireWithRole(
            .readTenant, tenant: context.parameter("id"), context)
        let actions = TenantCapability.offered(
            isSuperAdmin: caller.isSuperAdmin, role: role, status: tenant.status, moving: tenant.movingTo != nil,
            execAvailable: lifecycle.execAvailable)
        return JSONBody.response(
            writing: TenantView(
                tenant,
                detail: TenantView.Detail(
                    actions: actions, health: health.health(of: tenant.id), unmetered: health.unmetered(of: tenant.id)))
        )
    }

    /// `PATCH /api/tenants/{id} {"name": …, "image_pinned": true}`: a new name (manager), or the tenant
    /// pinned to its image so that rollouts pass it by (super-admin).
    @Sendable func update(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let fields = try JSONFields(request, allowed: ["name", "image_pinned"])
        let (caller, tenant) = try await authorizer.require(.changeConfig, tenant: context.parameter("id"), context)
        let pinned = try fields.bool("image_pinned")
        if pinned != nil { _ = try authorizer.require(.manageCluster, context) }
        var name: String?
        switch try fields.string("name") {
        case .none: break
        case .some(nil): throw ValidationError(field: "name", "must be 1 to 200 characters")
        case .some(let text?): name = text
        }
        let updated = try await tenants.update(tenant.id, name: name, imagePinned: pinned, by: caller)
        return JSONBody.response(writing: TenantView(updated))
    }

    @Sendable func status(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (_, tenant) = try await authorizer.require(.readStatus, tenant: context.parameter("id"), context)
        return JSONBody.response(
            TenantStatusView(
                status: tenant.movingTo == nil ? tenant.status.rawValue : "moving", uptime: tenant.uptime(at: .now()),
                port: tenant.hostPort,
                errorMessage: tenant.errorMessage))
    }

    @Sendable func delete(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.deleteTenant, tenant: context.parameter("id"), context)
        try await lifecycle.delete(tenant.id, actor: caller.actor, clientIP: caller.clientIP)
        return HTTPResponse(status: .noContent)
    }

    @Sendable func deploy(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.deploy, tenant: context.parameter("id"), context)
        let pinned = try NodeChoice.node(in: request)
        if pinned != nil, !caller.isSuperAdmin {
            throw Failure.forbidden("only a super-admin chooses a tenant's node")
        }
        let deploying = try await lifecycle.deploy(
            tenant.id, pinned: pinned, actor: caller.actor, clientIP: caller.clientIP)
        return JSONBody.response(TenantView(deploying), status: .accepted)
    }

    @Sendable func start(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.start, tenant: context.parameter("id"), context)
        return JSONBody.response(
            TenantView(try await lifecycle.start(tenant.id, actor: caller.actor, clientIP: caller.clientIP)))
    }

    @Sendable func stop(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.stop, tenant: context.parameter("id"), context)
        return JSONBody.response(
            TenantView(try await lifecycle.stop(tenant.id, actor: caller.actor, clientIP: caller.clientIP)))
    }

    @Sendable func restart(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.restart, tenant: context.parameter("id"), context)
        return JSONBody.response(
            TenantView(try await lifecycle.restart(tenant.id, actor: caller.actor, clientIP: caller.clientIP)))
    }

    @Sendable func logs(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (_, tenant) = try await authorizer.require(.readLogs, tenant: context.parameter("id"), context)
        let query = try LogsQuery(request)
        let options = LogOptions(tail: query.tail, timestamps: query.timestamps, follow: query.follow)
        guard query.follow else {
            let lines = LogLines()
            try await lifecycle.logs(tenant.id, options: options) { lines.append($0.text) }
            return JSONBody.response(lines.all)
        }
        try await lifecycle.checkLogsAvailable(tenant.id)
        let lifecycle = self.lifecycle
        return HTTPResponse(
            headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"],
            body: .stream { writer in
                try await LogEventStream(writer: writer).run { send in
                    try await lifecycle.logs(tenant.id, options: options) { try await send($0.text) }
                }
            })
    }

    @Sendable func exec(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (caller, tenant) = try await authorizer.require(.exec, tenant: context.parameter("id"), context)
        let (argv, timeout) = try ExecBody.parse(request, maximum: execTimeoutSeconds)
        let result = try await lifecycle.exec(
            tenant.id, argv: argv, timeout: timeout, actor: caller.actor, clientIP: caller.clientIP)
        return JSONBody.response(ExecView(result))
    }
}
