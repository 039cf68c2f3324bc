import ZCCore
import ZCHTTP

/// `/api/tenants`: create (as draft), list (members see only theirs), read, status, delete, and the
/// lifecycle actions, each guarded by the status machine.
enum TenantRoutes {
    struct Create: StrictDecodable {
        let id: String
        let name: String
        let plan: String?
        static let fields: Set<String> = ["id", "name", "plan"]
    }

    static func register(
        in router: inout Router, store: any Store, authorizer: Authorizer, configuration: PlatformConfiguration,
        lifecycle: TenantLifecycle
    ) {
        router.get("/api/tenants") { request, context in
            let principal = try context.principal()
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
            if !principal.user.isSuperAdmin { filter.memberUserID = principal.user.id }
            let page = filter
            let tenants = try await store.read { try await $0.tenants(page) }
            return JSONBody.response(tenants.map(TenantView.init))
        }
        router.post("/api/tenants") { request, context in
            let principal = try authorizer.require(.createTenant, context)
            let body = try JSONBody.decode(Create.self, from: request)
            let id = try TenantID(body.id)
            try Tenant.validateName(body.name)
            let plan = body.plan ?? "default"
            guard configuration.plans[plan] != nil else {
                throw ValidationError(
                    field: "plan",
                    "unknown plan '\(plan)' (plans: \(configuration.plans.keys.sorted().joined(separator: ", ")))")
            }
            let now = Timestamp.now()
            let tenant = Tenant(id: id, name: body.name, plan: plan, status: .draft, createdAt: now)
            do {
                try await store.withTransaction { transaction in
                    try await transaction.insertTenant(tenant)
                    try await transaction.appendAudit(
                        NewAuditEvent(
                            at: now, actor: principal.actor, action: "tenant.create", tenantID: id.rawValue,
                            clientIP: context.remoteAddress,
                            detail: ["name": .string(body.name), "plan": .string(plan)]))
                }
            } catch let error as StoreError where error.kind == .uniqueViolation {
                throw HTTPError(.conflict, "tenant '\(id)' already exists")
            }
            return JSONBody.response(TenantView(tenant), status: .created)
        }
        router.get("/api/tenants/{id}") { _, context in
            let (_, tenant) = try await authorizer.require(.readTenant, tenant: try context.parameter("id"), context)
            return JSONBody.response(TenantView(tenant))
        }
        router.get("/api/tenants/{id}/status") { _, context in
            let (_, tenant) = try await authorizer.require(.readStatus, tenant: try context.parameter("id"), context)
            return JSONBody.response(
                TenantStatusView(
                    status: tenant.status.rawValue, uptime: tenant.uptime(at: .now()), port: tenant.hostPort,
                    errorMessage: tenant.errorMessage))
        }
        router.delete("/api/tenants/{id}") { _, context in
            let (principal, tenant) = try await authorizer.require(
                .deleteTenant, tenant: try context.parameter("id"), context)
            try await lifecycle.delete(tenant.id, actor: principal.actor, clientIP: context.remoteAddress)
            return HTTPResponse(status: .noContent)
        }
        router.post("/api/tenants/{id}/deploy") { _, context in
            let (principal, tenant) = try await authorizer.require(
                .deploy, tenant: try context.parameter("id"), context)
            let deploying = try await lifecycle.deploy(
                tenant.id, actor: principal.actor, clientIP: context.remoteAddress)
            return JSONBody.response(TenantView(deploying), status: .accepted)
        }
        router.post("/api/tenants/{id}/start") { _, context in
            let (principal, tenant) = try await authorizer.require(.start, tenant: try context.parameter("id"), context)
            return JSONBody.response(
                TenantView(
                    try await lifecycle.start(tenant.id, actor: principal.actor, clientIP: context.remoteAddress)))
        }
        router.post("/api/tenants/{id}/stop") { _, context in
            let (principal, tenant) = try await authorizer.require(.stop, tenant: try context.parameter("id"), context)
            return JSONBody.response(
                TenantView(try await lifecycle.stop(tenant.id, actor: principal.actor, clientIP: context.remoteAddress))
            )
        }
        router.post("/api/tenants/{id}/restart") { _, context in
            let (principal, tenant) = try await authorizer.require(
                .restart, tenant: try context.parameter("id"), context)
            return JSONBody.response(
                TenantView(
                    try await lifecycle.restart(tenant.id, actor: principal.actor, clientIP: context.remoteAddress)))
        }
        router.get("/api/tenants/{id}/logs") { request, context in
            let (_, tenant) = try await authorizer.require(.readLogs, tenant: try context.parameter("id"), context)
            let query = try LogsQuery(request)
            let options = LogOptions(tail: query.tail, timestamps: query.timestamps, follow: query.follow)
            guard query.follow else {
                let lines = LogLines()
                try await lifecycle.logs(tenant.id, options: options) { lines.append($0.text) }
                return JSONBody.response(lines.all)
            }
            try await lifecycle.checkLogsAvailable(tenant.id)
            return HTTPResponse(
                headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"],
                body: .stream { writer in
                    try await LogEventStream(writer: writer).run { send in
                        try await lifecycle.logs(tenant.id, options: options) { try await send($0.text) }
                    }
                })
        }
        router.post("/api/tenants/{id}/exec") { request, context in
            let (principal, tenant) = try await authorizer.require(.exec, tenant: try context.parameter("id"), context)
            let (argv, timeout) = try ExecBody.parse(request, maximum: configuration.runtime.execTimeoutSeconds)
            let result = try await lifecycle.exec(
                tenant.id, argv: argv, timeout: timeout, actor: principal.actor, clientIP: context.remoteAddress)
            return JSONBody.response(ExecView(result))
        }
    }
}

/// `?tail=N&follow=1&timestamps=1`, checked.
struct LogsQuery {
    let tail: Int
    let follow: Bool
    let timestamps: Bool

    init(_ request: HTTPRequest) throws {
        let raw = request.queryParameter("tail") ?? "100"
        guard let tail = Int(raw), (1...1000).contains(tail) else {
            throw HTTPError(.badRequest, "tail must be a number from 1 to 1000")
        }
        self.tail = tail
        follow = try Self.flag(request, "follow")
        timestamps = try Self.flag(request, "timestamps")
    }

    /// `1`/`true` or `0`/`false`; anything else is a 400 (a typo must not silently mean "no").
    static func flag(_ request: HTTPRequest, _ name: String) throws -> Bool {
        switch request.queryParameter(name) {
        case nil, "0", "false": return false
        case "1", "true": return true
        default: throw HTTPError(.badRequest, "\(name) must be 1 or 0")
        }
    }
}

/// `{"command": "zeroclaw status"}` (split into argv, never run through a shell) or `{"argv": [...]}`.
enum ExecBody {
    /// The argv and the timeout asked for (`timeout_seconds`, 1 to `maximum`).
    static func parse(_ request: HTTPRequest, maximum: Int) throws -> ([String], Duration?) {
        let fields = try JSONFields(request, allowed: ["command", "argv", "timeout_seconds"])
        var timeout: Duration?
        switch fields.values["timeout_seconds"] {
        case nil, .null?: break
        case .number(let seconds)? where seconds >= 1 && seconds <= Double(maximum) && seconds.rounded() == seconds:
            timeout = .seconds(Int(seconds))
        default:
            throw HTTPError(.unprocessableContent, "timeout_seconds must be a whole number from 1 to \(maximum)")
        }
        return (try argv(fields), timeout)
    }

    /// Both fields are checked when both are given (each must be what the document says); argv wins.
    static func argv(_ fields: JSONFields) throws -> [String] {
        var fromArgv: [String]?
        switch fields.values["argv"] {
        case nil: break
        case .array(let items)?:
            let argv = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
            guard argv.count == items.count, !argv.isEmpty, argv.count <= 64,
                argv.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.count <= 4096 && !$0.utf8.contains(0) })
            else {
                throw HTTPError(
                    .unprocessableContent,
                    "argv must be 1 to 64 non-empty strings of at most 4096 characters, without NUL")
            }
            fromArgv = argv
        default:
            throw HTTPError(.unprocessableContent, "argv must be a list of strings")
        }
        var fromCommand: [String]?
        switch fields.values["command"] {
        case nil: break
        case .string(let command)?:
            // Split on ASCII white space only, exactly as the document's pattern says.
            let separators: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B]
            let argv = command.utf8.split(whereSeparator: { separators.contains($0) }).map {
                String(decoding: $0, as: UTF8.self)
            }
            guard !argv.isEmpty, command.unicodeScalars.count <= 4096, !command.utf8.contains(0) else {
                throw HTTPError(
                    .unprocessableContent, "command must hold a program name, without NUL, in at most 4096 characters")
            }
            fromCommand = argv
        default:
            throw HTTPError(.unprocessableContent, "command must be a string")
        }
        guard let argv = fromArgv ?? fromCommand else {
            throw HTTPError(.unprocessableContent, "give command (a string) or argv (a list of strings)")
        }
        return argv
    }
}
