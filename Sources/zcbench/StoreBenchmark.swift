import Foundation
import SQLiteStore
import Synchronization
import ZCCore

/// `zcbench store`: fills a store with `tenants` × `days` of snapshots at one per `interval` seconds,
/// one transaction per collection cycle, and measures what an operator feels: insert rate, bytes on
/// disk per row, reading one tenant's whole range, and pruning a day while collection goes on.
struct StoreBenchmark {
    var tenants = 1000
    var days = 7
    var interval: Int64 = 60
    var directory = FileManager.default.temporaryDirectory.appendingPathComponent("zcbench-store").path
    var baseline = true
    var keep = false

    var cycles: Int { days * 86_400 / Int(interval) }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        print(
            "zcbench store: \(tenants) tenants × \(days) days, one snapshot per \(interval) s = \(Format.number(Double(tenants * cycles))) rows in \(Format.number(Double(cycles))) cycles"
        )
        print("SQLite \(SQLiteStore.libraryVersion); directory \(directory)")
        print("")

        let ids = (0..<tenants).map { TenantID(trusted: String(format: "tenant-%05d", $0)) }
        let start = Timestamp(seconds: 1_790_000_000)
        let path = "\(directory)/zcplatform.db"
        let store = try SQLiteStore(options: SQLiteOptions(path: path), logger: .disabled)
        try await store.migrate()
        try await store.withTransaction { transaction in
            for id in ids {
                try await transaction.insertTenant(Tenant(id: id, name: id.rawValue, plan: "default", createdAt: start))
            }
        }

        // Fill, cycle by cycle, as the resource collector writes.
        var workload = SnapshotWorkload(tenants: ids, start: start, interval: interval)
        var cycleTimes = Samples()
        let fillStart = Clock.now()
        for index in 0..<cycles {
            let cycle = workload.cycle(index)
            let (_, seconds) = try await Clock.measure {
                try await store.withTransaction { try await $0.insertSnapshots(cycle) }
            }
            cycleTimes.add(seconds)
            if index % max(1, cycles / 10) == 0, index > 0 {
                FileHandle.standardError.write(
                    Data("  … \(index * 100 / cycles)% (\(Format.ms(cycleTimes.percentile(50))) per cycle)\n".utf8))
            }
        }
        let fillSeconds = Clock.seconds(since: fillStart)
        let rows = Double(tenants * cycles)
        _ = try await store.checkpoint()
        let files = try await store.sizes()
        let fileBytes = files.first?.bytes ?? 0
        let tableBytes = try await store.tableSizes().first { $0.name == "resource_snapshots" }?.bytes ?? 0

        // Read one tenant's whole range, for several tenants.
        let end = start.adding(seconds: Int64(cycles - 1) * interval)
        var reads = Samples()
        var readRows = 0
        var probe = SplitMix64(state: 7)
        for _ in 0..<25 {
            let id = ids[Int(probe.below(UInt64(ids.count)))]
            let (result, seconds) = try await Clock.measure {
                try await store.read { try await $0.snapshots(of: id, from: start, to: end) }
            }
            readRows = result.count
            reads.add(seconds)
        }

        // Prune the oldest day while collection goes on; measure the collector's cycle latency meanwhile.
        let cutoff = start.adding(seconds: 86_400)
        let finished = Flag()
        let pruneTask = Task {
            defer { finished.set() }
            return try await Clock.measure {
                try await store.prune(.resourceSnapshots, olderThan: cutoff, batchSize: 5_000)
            }
        }
        var duringPrune = Samples()
        var extra = cycles
        while !finished.isSet {
            let cycle = workload.cycle(extra)
            extra += 1
            let (_, seconds) = try await Clock.measure {
                try await store.withTransaction { try await $0.insertSnapshots(cycle) }
            }
            duringPrune.add(seconds)
        }
        let (pruned, pruneSeconds) = try await pruneTask.value
        await store.close()

        print("zcplatform layout: WITHOUT ROWID, PRIMARY KEY (tenant_key INTEGER, collected_at INTEGER)")
        print(
            "  fill:   \(Format.number(rows / fillSeconds)) rows/s (\(Format.number(fillSeconds, decimals: 1)) s); per \(tenants)-row cycle p50 \(Format.ms(cycleTimes.percentile(50))), p99 \(Format.ms(cycleTimes.percentile(99))), max \(Format.ms(cycleTimes.max))"
        )
        print(
            "  disk:   \(Format.mib(fileBytes)) database, \(Format.mib(tableBytes)) in resource_snapshots = \(Format.number(Double(tableBytes) / rows, decimals: 1)) bytes per row (\(Format.number(Double(fileBytes) / rows, decimals: 1)) for the whole file)"
        )
        print(
            "  read:   one tenant's \(days) days (\(Format.number(Double(readRows))) rows): p50 \(Format.ms(reads.percentile(50))), max \(Format.ms(reads.max)) over \(reads.count) tenants"
        )
        print(
            "  prune:  \(Format.number(Double(pruned))) rows (1 day) in \(Format.number(pruneSeconds, decimals: 1)) s in batches of 5,000; \(duringPrune.count) collector cycles meanwhile: p50 \(Format.ms(duringPrune.percentile(50))), max \(Format.ms(duringPrune.max))"
        )

        guard baseline else { return }
        let naive = try NaiveSnapshotTable(path: "\(directory)/naive.db")
        var naiveWorkload = SnapshotWorkload(tenants: ids, start: start, interval: interval)
        var naiveCycles = Samples()
        let naiveStart = Clock.now()
        for index in 0..<cycles {
            let cycle = naiveWorkload.cycle(index)
            let begin = Clock.now()
            try naive.insertCycle(cycle)
            naiveCycles.add(Clock.seconds(since: begin))
        }
        let naiveSeconds = Clock.seconds(since: naiveStart)
        try naive.checkpoint()
        let naiveBytes =
            (try? FileManager.default.attributesOfItem(atPath: "\(directory)/naive.db")[.size] as? NSNumber)?.int64Value
            ?? 0
        var naiveReads = Samples()
        probe = SplitMix64(state: 7)
        for _ in 0..<25 {
            let id = ids[Int(probe.below(UInt64(ids.count)))]
            let begin = Clock.now()
            _ = try naive.readRange(id.rawValue, from: start, to: end)
            naiveReads.add(Clock.seconds(since: begin))
        }
        print("")
        print(
            "baseline layout: rowid table, tenant_id TEXT, timestamp TEXT (ISO 8601), index on (tenant_id, timestamp); raw C inserts"
        )
        print(
            "  fill:   \(Format.number(rows / naiveSeconds)) rows/s (\(Format.number(naiveSeconds, decimals: 1)) s); per cycle p50 \(Format.ms(naiveCycles.percentile(50))), p99 \(Format.ms(naiveCycles.percentile(99)))"
        )
        print(
            "  disk:   \(Format.mib(naiveBytes)) = \(Format.number(Double(naiveBytes) / rows, decimals: 1)) bytes per row"
        )
        print(
            "  read:   one tenant's \(days) days: p50 \(Format.ms(naiveReads.percentile(50))), max \(Format.ms(naiveReads.max))"
        )
        print("")
        print(
            "ratios (zcplatform / baseline): fill rate \(Format.number((rows / fillSeconds) / (rows / naiveSeconds), decimals: 2))×, bytes per row \(Format.number(Double(fileBytes) / Double(max(1, naiveBytes)), decimals: 2))×, range read p50 \(Format.number(reads.percentile(50) / max(1e-9, naiveReads.percentile(50)), decimals: 2))×"
        )
    }
}

/// A one-way signal between tasks.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
