import ZCCore

/// The part of one tenant's hour that a batch of snapshots adds to `resource_rollups`: how many
/// samples, and the sum, least and greatest of each metric (in `ResourceBucket.metrics` order).
struct ResourceRollup {
    let tenantID: TenantID
    let hour: Timestamp
    var samples: Int64
    var sums: [Double]
    var mins: [Double]
    var maxs: [Double]
    var memLimitMax: Int64

    /// `cpu_pct_sum, cpu_pct_min, cpu_pct_max, mem_bytes_sum, …`: the metric columns of the table.
    static let columns: [String] = ResourceBucket.metrics.flatMap { ["\($0)_sum", "\($0)_min", "\($0)_max"] }

    init(_ snapshot: ResourceSnapshot) {
        tenantID = snapshot.tenantID
        hour = snapshot.collectedAt.startOfHour
        samples = 1
        let values = Self.values(of: snapshot)
        sums = values
        mins = values
        maxs = values
        memLimitMax = snapshot.memLimit
    }

    mutating func add(_ snapshot: ResourceSnapshot) {
        samples += 1
        for (index, value) in Self.values(of: snapshot).enumerated() {
            sums[index] += value
            mins[index] = Swift.min(mins[index], value)
            maxs[index] = Swift.max(maxs[index], value)
        }
        memLimitMax = Swift.max(memLimitMax, snapshot.memLimit)
    }

    static func values(of snapshot: ResourceSnapshot) -> [Double] {
        [
            snapshot.cpuPct, Double(snapshot.memBytes), Double(snapshot.diskBytes), Double(snapshot.netIn),
            Double(snapshot.netOut), Double(snapshot.pids),
        ]
    }

    /// The snapshots summed per tenant and hour, in first-seen order.
    static func rollups(of snapshots: [ResourceSnapshot]) -> [ResourceRollup] {
        var rollups: [ResourceRollup] = []
        var position: [SnapshotKey: Int] = [:]
        for snapshot in snapshots {
            let key = SnapshotKey(tenant: snapshot.tenantID, time: snapshot.collectedAt.startOfHour)
            if let index = position[key] {
                rollups[index].add(snapshot)
            } else {
                position[key] = rollups.count
                rollups.append(ResourceRollup(snapshot))
            }
        }
        return rollups
    }

    /// The row's bound values after the tenant: hour, samples, the metric columns, mem_limit_max.
    var boundValues: [SQLValue] {
        var values: [SQLValue] = [.integer(hour.seconds), .integer(samples)]
        for index in sums.indices {
            values += [.real(sums[index]), .real(mins[index]), .real(maxs[index])]
        }
        values.append(.integer(memLimitMax))
        return values
    }
}
