/// A tenant's resource use over one interval of a chart (a minute, ten minutes, an hour): the least,
/// mean and greatest value of each column of `resource_snapshots` over the samples that fall in it.
public struct ResourceBucket: Sendable, Hashable {
    /// The first second of the interval.
    public var start: Timestamp
    public var samples: Int
    public var cpuPct: MetricRange
    public var memBytes: MetricRange
    public var diskBytes: MetricRange
    public var netIn: MetricRange
    public var netOut: MetricRange
    public var pids: MetricRange
    /// The highest memory limit seen in the interval.
    public var memLimit: Int64

    public init(
        start: Timestamp, samples: Int, cpuPct: MetricRange, memBytes: MetricRange, diskBytes: MetricRange,
        netIn: MetricRange, netOut: MetricRange, pids: MetricRange, memLimit: Int64
    ) {
        self.start = start
        self.samples = samples
        self.cpuPct = cpuPct
        self.memBytes = memBytes
        self.diskBytes = diskBytes
        self.netIn = netIn
        self.netOut = netOut
        self.pids = pids
        self.memLimit = memLimit
    }

    /// The columns a bucket summarises, in the order stores lay them out.
    public static let metrics = ["cpu_pct", "mem_bytes", "disk_bytes", "net_in", "net_out", "pids"]
}

/// Least, mean and greatest of one metric over an interval.
public struct MetricRange: Sendable, Hashable, Codable {
    public var min: Double
    public var avg: Double
    public var max: Double

    public init(min: Double, avg: Double, max: Double) {
        self.min = min
        self.avg = avg
        self.max = max
    }
}

/// One tenant's usage summed over a period, for fleet reports.
public struct UsageTotal: Sendable, Hashable {
    public var tenantID: TenantID
    public var messages: Int64
    public var tokensIn: Int64
    public var tokensOut: Int64
    /// The newest hour that holds usage in the period.
    public var lastHour: Timestamp?

    public init(tenantID: TenantID, messages: Int64, tokensIn: Int64, tokensOut: Int64, lastHour: Timestamp?) {
        self.tenantID = tenantID
        self.messages = messages
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.lastHour = lastHour
    }
}
