import ZCCore
import ZCHTTP

/// `/api/rollouts` (super-admin): agent image rollouts across the fleet (`RolloutService`).
struct RolloutController: Sendable {
    let rollouts: RolloutService
    let authorizer: Authorizer

    func register(in router: inout Router) {
        router.get("/api/rollouts", list)
        router.post("/api/rollouts", start)
        router.get("/api/rollouts/{id}", read)
        router.post("/api/rollouts/{id}/pause", pause)
        router.post("/api/rollouts/{id}/resume", resume)
        router.post("/api/rollouts/{id}/abort", abort)
    }

    /// `POST /api/rollouts {"image": …}` → 202 with the rollout, `pending` until its image is checked.
    @Sendable func start(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageCluster, context)
        let fields = try JSONFields(request, allowed: RolloutRequest.fields)
        let asked = try RolloutRequest(fields.values)
        let rollout = try await rollouts.start(asked, by: caller)
        return JSONBody.response(RolloutView(try await rollouts.detail(rollout.id)), status: .accepted)
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let limit = Int(request.queryParameter("limit") ?? "50") ?? -1
        guard (1...500).contains(limit) else { throw HTTPError(.badRequest, "limit must be from 1 to 500") }
        let listed = try await rollouts.list(limit: limit)
        return JSONBody.response(RolloutList(rollouts: listed.map { RolloutView($0.0, tenants: $0.1) }))
    }

    @Sendable func read(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        return JSONBody.response(RolloutView(try await rollouts.detail(try Self.id(context))))
    }

    @Sendable func pause(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageCluster, context)
        let rollout = try await rollouts.pause(try Self.id(context), by: caller)
        return JSONBody.response(RolloutView(try await rollouts.detail(rollout.id)))
    }

    @Sendable func resume(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageCluster, context)
        let rollout = try await rollouts.resume(try Self.id(context), by: caller)
        return JSONBody.response(RolloutView(try await rollouts.detail(rollout.id)))
    }

    @Sendable func abort(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageCluster, context)
        let rollout = try await rollouts.abort(try Self.id(context), by: caller)
        return JSONBody.response(RolloutView(try await rollouts.detail(rollout.id)))
    }

    /// A rollout id: `ro-` and 12 lowercase hex digits; anything else is not found.
    static func id(_ context: RequestContext) throws -> String {
        let id = try context.parameter("id")
        guard id.count == 15, id.hasPrefix("ro-"), id.dropFirst(3).allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { throw Failure.notFound("rollout '\(id.prefix(64))' not found") }
        return id
    }
}

struct RolloutList: Encodable {
    let rollouts: [RolloutView]
}

/// A rollout as the API shows it.
struct RolloutView: Encodable {
    let id: String
    let image: String
    let state: String
    let reason: String?
    let canary: Int
    let batchSize: Int
    let healthSeconds: Int
    let maxFailures: Int
    let pauseAfterCanary: Bool
    let wholeFleet: Bool
    let createdBy: String
    let createdAt: Timestamp
    let updatedAt: Timestamp
    let finishedAt: Timestamp?
    /// Tenants with nothing more to do (healthy, failed or rolled back), of `total`.
    let done: Int
    let total: Int
    /// Tenants by state.
    let counts: [String: Int]
    /// Tenants waiting for their node (down) or their move.
    let waiting: Int
    let nodes: [NodeView]?
    let tenants: [TenantRow]?

    struct NodeView: Encodable {
        let node: String
        let pinned: String?
        let error: String?
        let preparedAt: Timestamp

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(node, forKey: .node)
            try container.encode(pinned, forKey: .pinned)
            try container.encode(error, forKey: .error)
            try container.encode(preparedAt, forKey: .preparedAt)
        }

        enum CodingKeys: String, CodingKey {
            case node, pinned, error, preparedAt
        }
    }

    struct TenantRow: Encodable {
        let id: String
        let state: String
        let batch: Int
        let from: String?
        let error: String?
        let node: String?
        let waiting: String?
        let updatedAt: Timestamp

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(state, forKey: .state)
            try container.encode(batch, forKey: .batch)
            try container.encode(from, forKey: .from)
            try container.encode(error, forKey: .error)
            try container.encode(node, forKey: .node)
            try container.encode(waiting, forKey: .waiting)
            try container.encode(updatedAt, forKey: .updatedAt)
        }

        enum CodingKeys: String, CodingKey {
            case id, state, batch, from, error, node, waiting, updatedAt
        }
    }

    init(_ detail: RolloutService.Detail) {
        self.init(detail.rollout, tenants: detail.tenants, detail: detail)
    }

    /// The list's form: without tenants and nodes.
    init(_ rollout: Rollout, tenants rows: [RolloutTenant], detail: RolloutService.Detail? = nil) {
        id = rollout.id
        image = rollout.image
        state = rollout.state.rawValue
        reason = rollout.reason
        canary = rollout.canary
        batchSize = rollout.batchSize
        healthSeconds = rollout.healthSeconds
        maxFailures = rollout.maxFailures
        pauseAfterCanary = rollout.pauseAfterCanary
        wholeFleet = rollout.wholeFleet
        createdBy = rollout.createdBy
        createdAt = rollout.createdAt
        updatedAt = rollout.updatedAt
        finishedAt = rollout.finishedAt
        done = rows.filter(\.state.isSettled).count
        total = rows.count
        var counts = Dictionary(uniqueKeysWithValues: RolloutTenantState.allCases.map { ($0.rawValue, 0) })
        for row in rows { counts[row.state.rawValue, default: 0] += 1 }
        self.counts = counts
        waiting = detail?.waiting.count ?? 0
        nodes = detail?.nodes.map {
            NodeView(node: $0.nodeID, pinned: $0.pinned, error: $0.error, preparedAt: $0.preparedAt)
        }
        tenants = detail.map { detail in
            rows.map {
                TenantRow(
                    id: $0.tenantID.rawValue, state: $0.state.rawValue, batch: $0.batch, from: $0.from,
                    error: $0.error, node: detail.placement[$0.tenantID], waiting: detail.waiting[$0.tenantID],
                    updatedAt: $0.updatedAt)
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(image, forKey: .image)
        try container.encode(state, forKey: .state)
        try container.encode(reason, forKey: .reason)
        try container.encode(canary, forKey: .canary)
        try container.encode(batchSize, forKey: .batchSize)
        try container.encode(healthSeconds, forKey: .healthSeconds)
        try container.encode(maxFailures, forKey: .maxFailures)
        try container.encode(pauseAfterCanary, forKey: .pauseAfterCanary)
        try container.encode(wholeFleet, forKey: .wholeFleet)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(done, forKey: .done)
        try container.encode(total, forKey: .total)
        try container.encode(counts, forKey: .counts)
        try container.encode(waiting, forKey: .waiting)
        try container.encodeIfPresent(nodes, forKey: .nodes)
        try container.encodeIfPresent(tenants, forKey: .tenants)
    }

    enum CodingKeys: String, CodingKey {
        case id, image, state, reason, canary, batchSize, healthSeconds, maxFailures, pauseAfterCanary, wholeFleet
        case createdBy, createdAt, updatedAt, finishedAt, done, total, counts, waiting, nodes, tenants
    }
}
