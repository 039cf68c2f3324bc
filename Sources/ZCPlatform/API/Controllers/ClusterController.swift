import ZCCore
import ZCHTTP

/// `/api/cluster` (super-admin): the cluster's nodes and its leader.
struct ClusterController: Sendable {
    struct NodesView: Encodable {
        let leader: LeaderView?
        let nodes: [NodeView]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(leader, forKey: .leader)
            try container.encode(nodes, forKey: .nodes)
        }

        enum CodingKeys: String, CodingKey {
            case leader, nodes
        }
    }

    struct LeaderView: Encodable {
        let node: String
        let term: Int64
        let expiresAt: Timestamp
    }

    struct NodeView: Encodable {
        let id: String
        let address: String
        let version: String
        let state: String
        let startedAt: Timestamp
        let lastHeartbeat: Timestamp
        let expiresAt: Timestamp
        /// Seconds since the last heartbeat, by this node's clock.
        let heartbeatAgeSeconds: Int64
        let memoryCapacity: Int64
        let memoryReserved: Int64
        let tenants: Int
        let leader: Bool
        /// The fingerprint of the node's vault key (never the key).
        let vaultKey: String
        /// Whether it is the answering node's: false means the two refuse each other's forwards.
        let vaultKeyMatches: Bool
        let addressCheck: AddressCheckView

        init(_ node: Node, tenants: Int, leader: Bool, now: Timestamp, vaultKey mine: String) {
            vaultKey = node.vaultKey
            vaultKeyMatches = node.vaultKey.isEmpty || node.vaultKey == mine
            addressCheck = AddressCheckView(node.addressCheck)
            id = node.id
            address = node.address
            version = node.version
            state = node.state.rawValue
            startedAt = node.startedAt
            lastHeartbeat = node.lastHeartbeat
            expiresAt = node.expiresAt
            heartbeatAgeSeconds = max(0, now.seconds - node.lastHeartbeat.seconds)
            memoryCapacity = node.memoryCapacity
            memoryReserved = node.memoryReserved
            self.tenants = tenants
            self.leader = leader
        }
    }

    /// What the node found calling itself through its advertised address: `unchecked` (not yet, since
    /// it started), `ok`, or `failed` with the reason.
    struct AddressCheckView: Encodable {
        let state: String
        let checkedAt: Timestamp?
        let error: String?

        init(_ check: Node.AddressCheck?) {
            state = check.map { $0.error == nil ? "ok" : "failed" } ?? "unchecked"
            checkedAt = check?.checkedAt
            error = check?.error
        }
    }

    let reports: FleetReports
    /// This node's vault key fingerprint, which every node's is compared with.
    let vaultKey: @Sendable () -> String
    let authorizer: Authorizer
    let ingressDomain: String?
    let administration: ClusterAdministration

    func register(in router: inout Router) {
        router.get("/api/cluster/nodes", nodes)
        router.get("/api/cluster/routes", routes)
        router.post("/api/cluster/nodes/{id}/drain", drain)
        router.post("/api/cluster/nodes/{id}/undrain", undrain)
    }

    /// `POST /api/cluster/nodes/{id}/drain`: the node takes no new tenants and moves its own away, one at
    /// a time; `/undrain` makes it active again.
    @Sendable func drain(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        try await setDraining(true, context)
    }

    @Sendable func undrain(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        try await setDraining(false, context)
    }

    private func setDraining(_ drain: Bool, _ context: RequestContext) async throws -> HTTPResponse {
        let caller = try authorizer.require(.manageCluster, context)
        let node = try await administration.setDraining(try context.parameter("id"), drain, by: caller)
        let now = Timestamp.now()
        let report = try await reports.clusterNodes(now: now)
        let tenants = report.nodes.first { $0.node.id == node.id }?.tenants ?? 0
        return JSONBody.response(
            NodeView(node, tenants: tenants, leader: report.leader?.holder == node.id, now: now, vaultKey: vaultKey()))
    }

    /// `GET /api/cluster/routes?format=json|traefik|haproxy`: where a load balancer sends each running
    /// tenant's API requests (its node) and its agent's traffic (its gateway).
    @Sendable func routes(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let raw = request.queryParameter("format") ?? "json"
        guard let format = IngressRouteFormats.Format(rawValue: raw) else {
            throw HTTPError(
                .badRequest,
                "format must be one of \(IngressRouteFormats.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return IngressRouteFormats.response(try await reports.ingressRoutes(), domain: ingressDomain, format: format)
    }

    @Sendable func nodes(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        _ = try authorizer.require(.readFleet, context)
        let now = Timestamp.now()
        let report = try await reports.clusterNodes(now: now)
        let mine = vaultKey()
        return JSONBody.response(
            NodesView(
                leader: report.leader.map { LeaderView(node: $0.holder, term: $0.term, expiresAt: $0.expiresAt) },
                nodes: report.nodes.map {
                    NodeView(
                        $0.node, tenants: $0.tenants, leader: report.leader?.holder == $0.node.id, now: now,
                        vaultKey: mine)
                }))
    }
}
