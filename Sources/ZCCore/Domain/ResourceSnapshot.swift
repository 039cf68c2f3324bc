/// One sample of a tenant's container, a row of `resource_snapshots`.
public struct ResourceSnapshot: Sendable, Hashable, Codable {
    public var tenantID: TenantID
    public var collectedAt: Timestamp
    /// CPU use in percent of one core, from counter deltas between two cycles.
    public var cpuPct: Double
    public var memBytes: Int64
    public var memLimit: Int64
    public var diskBytes: Int64
    public var netIn: Int64
    public var netOut: Int64
    public var pids: Int64

    public init(
        tenantID: TenantID, collectedAt: Timestamp, cpuPct: Double, memBytes: Int64, memLimit: Int64,
        diskBytes: Int64, netIn: Int64, netOut: Int64, pids: Int64
    ) {
        self.tenantID = tenantID
        self.collectedAt = collectedAt
        self.cpuPct = cpuPct
        self.memBytes = memBytes
        self.memLimit = memLimit
        self.diskBytes = diskBytes
        self.netIn = netIn
        self.netOut = netOut
        self.pids = pids
    }
}
