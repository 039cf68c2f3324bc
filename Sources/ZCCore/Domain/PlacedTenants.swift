/// How many tenants of one plan a node holds: what placement weighs a node's room by.
public struct PlacedTenants: Sendable, Hashable, Codable {
    public var node: String
    public var plan: String
    public var count: Int

    public init(node: String, plan: String, count: Int) {
        self.node = node
        self.plan = plan
        self.count = count
    }
}
