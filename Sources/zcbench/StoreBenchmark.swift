import Foundation
import PostgresStore
import SQLiteStore
import Synchronization
import ZCCore
import ZCSQL

/// `zcbench store`: fills a store with `tenants` × `days` of snapshots at one per `interval` seconds,
/// one transaction per collection cycle, and measures what an operator feels: insert rate, bytes on
/// disk per row, reading one tenant's whole range, and pruning a day while collection goes on. Runs
/// SQLite, PostgreSQL when given a URL, and the baseline layout, in one run.
struct StoreBenchmark {
    var tenants = 1000
    var days = 7
    var interval: Int64 = 60
    var directory = FileManager.default.temporaryDirectory.appendingPathComponent("zcbench-store").path
    var postgresURL: String?
    var baseline = true
    var keep = false

    var cycles: Int { days * 86_400 / Int(interval) }
    var rows: Double { Double(tenants * cycles) }
    var ids: [TenantID] { (0..<tenants).map { TenantID(trusted: String(format: "tenant-%05d", $0)) } }
    let start = Timestamp(seconds: 1_790_000_000)

    struct Figures {
        var rowsPerSecond: Double
        var bytesPerRow: Double
        var readP50: Double
    }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        print(
            "zcbench store: \(tenants) tenants × \(days) days, one snapshot per \(interval) s = "
                + "\(Format.number(rows)) rows in \(Format.number(Double(cycles))) cycles")
        print("SQLite \(SQLiteStore.libraryVersion), libpq \(PostgresStore.libraryVersion); directory \(directory)")

        let sqlite = try SQLiteStore(options: SQLiteOptions(path: "\(directory)/zcplatform.db"), logger: .disabled)
        let sqliteFigures = try await measure(
            sqlite, title: "SQLite store: WITHOUT ROWID, PRIMARY KEY (tenant_key, collected_at)")

        if let postgresURL {
            let schema = "zcbench"
            let separator = postgresURL.contains("?") ? "&" : "?"
            let admin = PostgresStore(options: PostgresOptions(url: postgresURL, poolSize: 1), logger: .disabled)
            try await admin.sqlStore.database.withConnection(write: true) {
                try await $0.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE; CREATE SCHEMA \(schema)")
            }
            let postgres = PostgresStore(
                options: PostgresOptions(url: postgresURL + separator + "options=-csearch_path%3D\(schema)"),
                logger: .disabled)
            _ = try await measure(
                postgres, title: "PostgreSQL store: PRIMARY KEY (tenant_key, collected_at), one statement per cycle")
            if !keep {
                try await admin.sqlStore.database.withConnection(write: true) {
                    try await $0.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE")
                }
            }
            await admin.close()
        }

        guard baseline else { return }
        let naive = try await measureBaseline()
        print("")
        print(
            "ratios (SQLite store / baseline): fill rate "
                + "\(Format.number(sqliteFigures.rowsPerSecond / naive.rowsPerSecond, decimals: 2))×, bytes per row "
                + "\(Format.number(sqliteFigures.bytesPerRow / naive.bytesPerRow, decimals: 2))×, range read p50 "
                + "\(Format.number(sqliteFigures.readP50 / max(1e-9, naive.readP50), decimals: 2))×")
    }

    /// Fill, read, prune on one store; prints and returns its figures.
    func measure(_ store: any Store & StoreMaintenance, title: String) async throws -> Figures {
        try await store.migrate()
        let ids = self.ids
        let start = self.start
        try await store.withTransaction { transaction in
            for id in ids {
                try await transaction.insertTenant(Tenant(id: id, name: id.rawValue, plan: "default", createdAt: start))
            }
        }
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
                    Data(
                        "  \(store.driver) … \(index * 100 / cycles)% (\(Format.ms(cycleTimes.percentile(50))) per cycle)\n"
                            .utf8))
            }
        }
        let fillSeconds = Clock.seconds(since: fillStart)
        _ = try? await store.checkpoint()
        let databaseBytes = try await store.sizes().first?.bytes ?? 0
        let tableBytes = try await store.tableSizes().first { $0.name == "resource_snapshots" }?.bytes ?? 0

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

        // The chart endpoint's reads: `?range=7d` (hourly roll-ups plus the newest snapshot) and `?range=24h`
        // (ten-minute buckets aggregated from the snapshots), as `GET /api/tenants/{id}/resources` makes them.
        var weekCharts = Samples()
        var dayCharts = Samples()
        var weekPoints = 0
        var dayPoints = 0
        for _ in 0..<25 {
            let id = ids[Int(probe.below(UInt64(ids.count)))]
            let (week, weekSeconds) = try await Clock.measure {
                try await store.read { reader in
                    let points = try await reader.hourlyResources(
                        of: id, from: end.adding(seconds: -7 * 86_400), to: end.adding(seconds: 1))
                    _ = try await reader.snapshots(of: id, from: end.adding(seconds: -900), to: end)
                    return points.count
                }
            }
            weekPoints = week
            weekCharts.add(weekSeconds)
            let (day, daySeconds) = try await Clock.measure {
                try await store.read { reader in
                    let points = try await reader.snapshotBuckets(
                        of: id, from: end.adding(seconds: -86_400), to: end.adding(seconds: 1), bucketSeconds: 600)
                    _ = try await reader.snapshots(of: id, from: end.adding(seconds: -900), to: end)
                    return points.count
                }
            }
            dayPoints = day
            dayCharts.add(daySeconds)
        }
        let rollupBytes = try await store.tableSizes().first { $0.name == "resource_rollups" }?.bytes ?? 0

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

        let figures = Figures(
            rowsPerSecond: rows / fillSeconds, bytesPerRow: Double(tableBytes) / rows, readP50: reads.percentile(50))
        print("")
        print(title)
        print(
            "  fill:   \(Format.number(figures.rowsPerSecond)) rows/s (\(Format.number(fillSeconds, decimals: 1)) s); "
                + "per \(tenants)-row cycle p50 \(Format.ms(cycleTimes.percentile(50))), p99 "
                + "\(Format.ms(cycleTimes.percentile(99))), max \(Format.ms(cycleTimes.max))")
        print(
            "  disk:   \(Format.mib(tableBytes)) for resource_snapshots (rows and key index) = "
                + "\(Format.number(figures.bytesPerRow, decimals: 1)) bytes per row; database \(Format.mib(databaseBytes))"
        )
        print(
            "  read:   one tenant's \(days) days (\(Format.number(Double(readRows))) rows): p50 "
                + "\(Format.ms(reads.percentile(50))), max \(Format.ms(reads.max)) over \(reads.count) tenants")
        print(
            "  chart:  7d (\(weekPoints) hourly roll-ups + the newest snapshot): p50 \(Format.ms(weekCharts.percentile(50))), "
                + "max \(Format.ms(weekCharts.max)); 24h (\(dayPoints) ten-minute buckets from the snapshots): p50 "
                + "\(Format.ms(dayCharts.percentile(50))), max \(Format.ms(dayCharts.max)); roll-ups take \(Format.mib(rollupBytes))"
        )
        print(
            "  prune:  \(Format.number(Double(pruned))) rows (1 day) in \(Format.number(pruneSeconds, decimals: 1)) s "
                + "in batches of 5,000; \(duringPrune.count) collector cycles meanwhile: p50 "
                + "\(Format.ms(duringPrune.percentile(50))), max \(Format.ms(duringPrune.max))")
        return figures
    }

    /// The layout a typical implementation would use, filled through raw C inserts.
    func measureBaseline() async throws -> Figures {
        let ids = self.ids
        let naive = try NaiveSnapshotTable(path: "\(directory)/naive.db")
        var workload = SnapshotWorkload(tenants: ids, start: start, interval: interval)
        var cycleTimes = Samples()
        let fillStart = Clock.now()
        for index in 0..<cycles {
            let cycle = workload.cycle(index)
            let begin = Clock.now()
            try naive.insertCycle(cycle)
            cycleTimes.add(Clock.seconds(since: begin))
        }
        let fillSeconds = Clock.seconds(since: fillStart)
        try naive.checkpoint()
        let bytes =
            (try? FileManager.default.attributesOfItem(atPath: "\(directory)/naive.db")[.size] as? NSNumber)?
            .int64Value ?? 0
        let end = start.adding(seconds: Int64(cycles - 1) * interval)
        var reads = Samples()
        var probe = SplitMix64(state: 7)
        for _ in 0..<25 {
            let id = ids[Int(probe.below(UInt64(ids.count)))]
            let begin = Clock.now()
            _ = try naive.readRange(id.rawValue, from: start, to: end)
            reads.add(Clock.seconds(since: begin))
        }
        print("")
        print(
            "baseline layout: rowid table, tenant_id TEXT, timestamp TEXT (ISO 8601), index on (tenant_id, timestamp);"
                + " raw C inserts")
        print(
            "  fill:   \(Format.number(rows / fillSeconds)) rows/s (\(Format.number(fillSeconds, decimals: 1)) s); "
                + "per cycle p50 \(Format.ms(cycleTimes.percentile(50))), p99 \(Format.ms(cycleTimes.percentile(99)))")
        print("  disk:   \(Format.mib(bytes)) = \(Format.number(Double(bytes) / rows, decimals: 1)) bytes per row")
        print(
            "  read:   one tenant's \(days) days: p50 \(Format.ms(reads.percentile(50))), max \(Format.ms(reads.max))")
        return Figures(
            rowsPerSecond: rows / fillSeconds, bytesPerRow: Double(bytes) / rows, readP50: reads.percentile(50))
    }
}

/// A one-way signal between tasks.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
