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
        in router: inout Router, store: any Store, authorizer: Authorizer, configuration: PlatformConfiguration
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
            _ = try TenantStatusMachine.apply(.delete, to: tenant.status)
            try await store.withTransaction { transaction in
                guard try await transaction.deleteTenant(tenant.id) else {
                    throw HTTPError(.notFound, "tenant '\(tenant.id)' not found")
                }
                try await transaction.appendAudit(
                    NewAuditEvent(
                        at: .now(), actor: principal.actor, action: "tenant.delete", tenantID: tenant.id.rawValue,
                        clientIP: context.remoteAddress, detail: ["status": .string(tenant.status.rawValue)]))
            }
            return HTTPResponse(status: .noContent)
        }
        for (action, operation) in [
            (TenantAction.deploy, PlatformOperation.deploy), (.start, .start), (.stop, .stop), (.restart, .restart),
        ] {
            router.post("/api/tenants/{id}/\(action.rawValue)") { _, context in
                let (_, tenant) = try await authorizer.require(operation, tenant: try context.parameter("id"), context)
                _ = try TenantStatusMachine.apply(action, to: tenant.status)
                throw RuntimeNotConfigured()
            }
        }
        router.get("/api/tenants/{id}/logs") { request, context in
            _ = try await authorizer.require(.readLogs, tenant: try context.parameter("id"), context)
            _ = try LogsQuery(request)
            throw RuntimeNotConfigured()
        }
        router.post("/api/tenants/{id}/exec") { request, context in
            _ = try await authorizer.require(.exec, tenant: try context.parameter("id"), context)
            _ = try ExecBody.argv(request)
            throw RuntimeNotConfigured()
        }
    }
}

/// A runtime-backed action on a platform whose runtime does not do it yet.
struct RuntimeNotConfigured: Error, HTTPStatusError {
    var httpStatus: Int { 501 }
    var publicMessage: String { "this action needs a container runtime driver, which this build does not have yet" }
}

/// `?tail=N&follow=1`, checked.
struct LogsQuery {
    let tail: Int
    let follow: Bool

    init(_ request: HTTPRequest) throws {
        let raw = request.queryParameter("tail") ?? "100"
        guard let tail = Int(raw), (1...1000).contains(tail) else {
            throw HTTPError(.badRequest, "tail must be a number from 1 to 1000")
        }
        self.tail = tail
        follow = ["1", "true"].contains(request.queryParameter("follow") ?? "")
    }
}

/// `{"command": "zeroclaw status"}` (split into argv, never run through a shell) or `{"argv": [...]}`.
enum ExecBody {
    static func argv(_ request: HTTPRequest) throws -> [String] {
        let fields = try JSONFields(request, allowed: ["command", "argv", "timeout_seconds"])
        if case .array(let items)? = fields.values["argv"] {
            let argv = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
            guard argv.count == items.count, !argv.isEmpty, argv.count <= 64 else {
                throw HTTPError(.unprocessableContent, "argv must be a non-empty list of at most 64 strings")
            }
            return argv
        }
        guard case .string(let command)? = fields.values["command"] else {
            throw HTTPError(.unprocessableContent, "give command (a string) or argv (a list of strings)")
        }
        let argv = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !argv.isEmpty, argv.count <= 64, command.count <= 4096 else {
            throw HTTPError(.unprocessableContent, "command must be 1 to 64 words")
        }
        return argv
    }
}
