import ZCCore

/// Chooses the node a tenant that has none is deployed on: among the `active` nodes with room for its
/// plan's memory, the one with the most free memory (`spread`) or the least that still fits (`binpack`).
/// The choice is made in the deploy's transaction, holding the chosen node's row while its room is
/// counted again, so two deploys racing for a node's last room cannot both take it.
public struct NodePlacement: Sendable {
    public enum Strategy: String, Sendable, Hashable, CaseIterable {
        case spread, binpack
    }

    let strategy: Strategy
    let plans: [String: Plan]
    /// This node as it would record itself: a candidate before its first heartbeat is stored.
    let me: Node

    public init(strategy: Strategy, plans: [String: Plan], me: Node) {
        self.strategy = strategy
        self.plans = plans
        self.me = me
    }

    /// Placement as `configuration` sets it, this node a candidate with its configured capacity.
    public init(_ configuration: PlatformConfiguration) {
        self.init(
            strategy: configuration.cluster.placement, plans: configuration.plans,
            me: Node(
                id: configuration.cluster.nodeID, address: "", version: "", startedAt: .now(), lastHeartbeat: .now(),
                memoryCapacity: configuration.cluster.memoryCapacity))
    }

    /// What one tenant of `plan` reserves on its node.
    func memory(of plan: String) -> Int64 {
        (plans[plan] ?? .standard).memoryBytes
    }

    /// What the counted tenants reserve, by node.
    func reserved(_ placed: [PlacedTenants]) -> [String: Int64] {
        Self.reserved(placed, plans: plans)
    }

    /// What the counted tenants reserve, by node, under `plans`.
    static func reserved(_ placed: [PlacedTenants], plans: [String: Plan]) -> [String: Int64] {
        placed.reduce(into: [:]) { reserved, group in
            reserved[group.node, default: 0] += (plans[group.plan] ?? .standard).memoryBytes * Int64(group.count)
        }
    }

    /// The nodes a tenant needing `need` bytes may go to, best first, as the rows show them now.
    func ranked(_ nodes: [Node], reserved: [String: Int64], need: Int64) -> [Node] {
        let fitting = nodes.filter { $0.state == .active && free($0, reserved) >= need }
        return fitting.sorted { left, right in
            let (a, b) = (free(left, reserved), free(right, reserved))
            if a != b { return strategy == .spread ? a > b : a < b }
            return left.id < right.id
        }
    }

    func free(_ node: Node, _ reserved: [String: Int64]) -> Int64 {
        node.memoryCapacity - reserved[node.id, default: 0]
    }

    /// Places a tenant of `plan` (on `pinned` when given) and returns the node's id; throws
    /// `PlacementError` when no node may take it.
    func place(plan: String, pinned: String?, in transaction: any StoreTransaction) async throws -> String {
        var nodes = try await transaction.nodes()
        if !nodes.contains(where: { $0.id == me.id }) { nodes.append(me) }
        let need = memory(of: plan)
        if let pinned {
            guard let node = nodes.first(where: { $0.id == pinned }) else {
                throw PlacementError.unknownNode(pinned, known: nodes.map(\.id))
            }
            guard node.state == .active else { throw PlacementError.notActive(node) }
            nodes = [node]
        }
        let counted = reserved(try await transaction.placedTenants(nodeID: nil))
        for candidate in ranked(nodes, reserved: counted, need: need) {
            // Counted again under the row's lock: a deploy that placed here meanwhile has committed.
            let locked = try await transaction.lockNode(candidate.id) ?? candidate
            let now = reserved(try await transaction.placedTenants(nodeID: candidate.id))
            guard locked.state == .active, free(locked, now) >= need else { continue }
            return candidate.id
        }
        throw PlacementError.noRoom(plan: plan, need: need, nodes: nodes, reserved: counted)
    }
}

/// Why a tenant could not be placed, naming the shortage.
public enum PlacementError: Error, PublicError, Sendable {
    case unknownNode(String, known: [String])
    case notActive(Node)
    case noRoom(plan: String, need: Int64, nodes: [Node], reserved: [String: Int64])

    public var failureKind: FailureKind {
        switch self {
        case .unknownNode: .notFound
        case .notActive, .noRoom: .unavailable
        }
    }

    public var publicMessage: String {
        switch self {
        case .unknownNode(let id, let known):
            return "node: '\(id)' is not a node of this cluster (nodes: \(known.sorted().joined(separator: ", ")))"
        case .notActive(let node):
            return "node \(node.id) is \(node.state.rawValue) and takes no new tenants"
        case .noRoom(let plan, let need, let nodes, let reserved):
            let states = nodes.sorted { $0.id < $1.id }.map { node -> String in
                guard node.state == .active else { return "\(node.id) is \(node.state.rawValue)" }
                let free = max(0, node.memoryCapacity - reserved[node.id, default: 0])
                return "\(node.id) has \(ByteSize.format(free)) free of \(ByteSize.format(node.memoryCapacity))"
            }
            return
                "no active node has \(ByteSize.format(need)) free for a tenant of plan '\(plan)': \(states.joined(separator: ", "))"
        }
    }
}
