import Foundation
import PostgresStore
import ResourceCollector
import ZCCore

/// `zcbench collect --postgres URL --nodes N --cluster-tenants T`: N nodes' resource collectors, each
/// with T simulated tenants and their real directories, running their cycles at the same time on one
/// shared PostgreSQL schema, as a cluster's nodes do.
extension CollectorBenchmark {
    func clusterPart(postgresURL: String, nodes: Int, tenantsPerNode: Int, root: String) async throws {
        let schema = "zcbench_collect"
        let admin = PostgresStore(options: PostgresOptions(url: postgresURL, poolSize: 1), logger: .disabled)
        try await admin.sqlStore.database.withConnection(write: true) {
            try await $0.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE; CREATE SCHEMA \(schema)")
        }
        let separator = postgresURL.contains("?") ? "&" : "?"
        let store = PostgresStore(
            options: PostgresOptions(
                url: postgresURL + separator + "options=-csearch_path%3D\(schema)", poolSize: 4 * nodes),
            logger: .disabled)
        do {
            try await store.migrate()
            let names = (1...nodes).map { "n\($0)" }
            let started = Timestamp.now().adding(seconds: -3600)
            let payload = Data(repeating: 0x61, count: 4096)
            for (nodeIndex, node) in names.enumerated() {
                let ids = (0..<tenantsPerNode).map { TenantID(trusted: String(format: "\(node)-%05d", $0)) }
                for chunk in ids.enumerated().map({ $0 }).chunked(1000) {
                    try await store.withTransaction { transaction in
                        for (index, id) in chunk {
                            try await transaction.insertTenant(
                                Tenant(
                                    id: id, name: id.rawValue, plan: "default", status: .running, nodeID: node,
                                    hostPort: 20_000 + index, uid: 300_000 + nodeIndex * tenantsPerNode + index,
                                    createdAt: started, startedAt: started))
                        }
                    }
                }
                for id in ids {
                    let directory = "\(root)/\(node)/\(id.rawValue)"
                    try FileManager.default.createDirectory(
                        atPath: "\(directory)/memory", withIntermediateDirectories: true)
                    for file in 0..<filesPerTenant {
                        _ = FileManager.default.createFile(
                            atPath: "\(directory)/memory/m\(file)", contents: payload.prefix(512 + file * 97))
                    }
                }
            }
            print("")
            print(
                "## \(nodes) nodes × \(Format.number(Double(tenantsPerNode))) simulated tenants, cycles at once on one PostgreSQL"
            )
            let collectors = names.map { node in
                var settings = Self.settings(walkAll: false, budget: .seconds(2))
                settings.nodeID = node
                return ResourceCollector(
                    store: store, runtime: SimulatedRuntime(), settings: settings, logger: .disabled,
                    directory: { "\(root)/\(node)/\($0.rawValue)" })
            }
            var walls: [[Double]] = Array(repeating: [], count: nodes)
            for _ in 0..<(cycles + 1) {
                let results = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
                    for (index, collector) in collectors.enumerated() {
                        group.addTask {
                            let (_, seconds) = try await Clock.measure { _ = try await collector.collect() }
                            return (index, seconds)
                        }
                    }
                    return try await group.reduce(into: [(Int, Double)]()) { $0.append($1) }
                }
                for (index, seconds) in results { walls[index].append(seconds) }
            }
            print("")
            print("| node | first cycle | steady cycle (median) | slowest steady cycle |")
            print("| --- | --- | --- | --- |")
            for (index, node) in names.enumerated() {
                let steady = walls[index].dropFirst().sorted()
                print(
                    "| \(node) | \(ms(walls[index][0])) | \(ms(steady[steady.count / 2])) | \(ms(steady.last ?? 0)) |")
            }
        } catch {
            await store.close()
            await admin.close()
            throw error
        }
        await store.close()
        try await admin.sqlStore.database.withConnection(write: true) {
            try await $0.executeScript("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        }
        await admin.close()
    }
}
