import ZCCore

/// Realistic resource snapshots for `tenants` tenants, one per tenant per cycle: idle agents with small
/// CPU, memory around 7–40 MB, slowly growing disk and network counters.
struct SnapshotWorkload {
    let tenants: [TenantID]
    let start: Timestamp
    let interval: Int64
    private var random = SplitMix64(state: 42)
    private var netIn: [Int64]
    private var netOut: [Int64]

    init(tenants: [TenantID], start: Timestamp, interval: Int64) {
        self.tenants = tenants
        self.start = start
        self.interval = interval
        netIn = Array(repeating: 1_000_000, count: tenants.count)
        netOut = Array(repeating: 500_000, count: tenants.count)
    }

    mutating func cycle(_ index: Int) -> [ResourceSnapshot] {
        let time = start.adding(seconds: Int64(index) * interval)
        var snapshots: [ResourceSnapshot] = []
        snapshots.reserveCapacity(tenants.count)
        for (position, tenant) in tenants.enumerated() {
            netIn[position] += Int64(random.below(20_000))
            netOut[position] += Int64(random.below(8_000))
            let busy = random.below(100) < 3
            snapshots.append(
                ResourceSnapshot(
                    tenantID: tenant, collectedAt: time,
                    cpuPct: (Double(random.below(busy ? 9_000 : 300)) / 100),
                    memBytes: 7_000_000 + Int64(random.below(33_000_000)), memLimit: 268_435_456,
                    diskBytes: 50_000_000 + Int64(index) * 10 + Int64(random.below(1_000)), netIn: netIn[position],
                    netOut: netOut[position], pids: 5 + Int64(random.below(15))))
        }
        return snapshots
    }
}
