import ZCCore

/// One snapshot as the API shows it.
struct SnapshotView: Encodable {
    let tenantId: String
    let collectedAt: Timestamp
    let cpuPct: Double
    let memBytes: Int64
    let memLimit: Int64
    let diskBytes: Int64
    let netIn: Int64
    let netOut: Int64
    let pids: Int64

    init(_ snapshot: ResourceSnapshot) {
        tenantId = snapshot.tenantID.rawValue
        collectedAt = snapshot.collectedAt
        cpuPct = (snapshot.cpuPct * 100).rounded() / 100
        memBytes = snapshot.memBytes
        memLimit = snapshot.memLimit
        diskBytes = snapshot.diskBytes
        netIn = snapshot.netIn
        netOut = snapshot.netOut
        pids = snapshot.pids
    }
}

/// One point of a chart: min, avg and max of each metric over the bucket.
struct BucketView: Encodable {
    let at: Timestamp
    let samples: Int
    let cpuPct: MetricRange
    let memBytes: MetricRange
    let memLimit: Int64
    let diskBytes: MetricRange
    let netIn: MetricRange
    let netOut: MetricRange
    let pids: MetricRange

    init(_ bucket: ResourceBucket) {
        at = bucket.start
        samples = bucket.samples
        cpuPct = Self.rounded(bucket.cpuPct)
        memBytes = Self.rounded(bucket.memBytes)
        memLimit = bucket.memLimit
        diskBytes = Self.rounded(bucket.diskBytes)
        netIn = Self.rounded(bucket.netIn)
        netOut = Self.rounded(bucket.netOut)
        pids = Self.rounded(bucket.pids)
    }

    static func rounded(_ range: MetricRange) -> MetricRange {
        func two(_ value: Double) -> Double { (value * 100).rounded() / 100 }
        return MetricRange(min: two(range.min), avg: two(range.avg), max: two(range.max))
    }
}

/// `GET /api/tenants/{id}/resources`.
struct ResourceHistoryView: Encodable {
    let tenantId: String
    let range: String
    let from: Timestamp
    let to: Timestamp
    let bucketSeconds: Int64
    /// The newest snapshot, or null when none was taken in the last few cycles.
    let current: SnapshotView?
    let history: [BucketView]

    enum CodingKeys: String, CodingKey {
        case tenantId, range, from, to, bucketSeconds, current, history
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenantId, forKey: .tenantId)
        try container.encode(range, forKey: .range)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(bucketSeconds, forKey: .bucketSeconds)
        try container.encode(current, forKey: .current)
        try container.encode(history, forKey: .history)
    }
}

/// A chart range: how far back, and how wide each point.
enum ResourceRange: String, CaseIterable {
    case hour = "1h"
    case sixHours = "6h"
    case day = "24h"
    case week = "7d"

    var seconds: Int64 {
        switch self {
        case .hour: 3600
        case .sixHours: 6 * 3600
        case .day: 86_400
        case .week: 7 * 86_400
        }
    }

    /// 60, 180, 144 and 168 points: fine enough to read, few enough to draw.
    var bucketSeconds: Int64 {
        switch self {
        case .hour: 60
        case .sixHours: 120
        case .day: 600
        case .week: 3600
        }
    }
}

/// Usage over a period, summed.
struct UsageTotalsView: Encodable {
    let messages: Int64
    let tokensIn: Int64
    let tokensOut: Int64
}

struct TenantUsageView: Encodable {
    let tenantId: String
    let messages: Int64
    let tokensIn: Int64
    let tokensOut: Int64
}

struct UsageHourView: Encodable {
    let hour: Timestamp
    let messages: Int64
    let tokensIn: Int64
    let tokensOut: Int64
}
