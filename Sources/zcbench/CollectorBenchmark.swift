import DockerRuntime
import Foundation
import ResourceCollector
import SQLiteStore
import ZCCore

/// `zcbench collect`: one full resource-collection cycle, the platform's collector against the original
/// approach (`docker stats --no-stream` plus `du -sb` per tenant, one after the other), on the same
/// containers of a real dockerd; then the collector alone for 1,000 and 10,000 tenants on a simulated
/// runtime. Prints wall time, CPU time (this process, its children, and the daemon) and ratios.
struct CollectorBenchmark {
    var socket: String?
    var image = "zcagent-sim:test"
    var containers = 20
    var tenantCounts = [1000, 10_000]
    var cycles = 5
    var filesPerTenant = 20
    var docker = "/usr/bin/docker"
    var dockerdPid: Int32?
    /// With a PostgreSQL URL, `nodes` collectors of `clusterTenants` tenants each share one schema.
    var postgresURL: String?
    var nodes = 3
    var clusterTenants = 3000

    func run() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("zcbench-collect-\(getpid())").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        print(
            "zcbench collect: \(ProcessInfo.processInfo.activeProcessorCount) cores; \(filesPerTenant) files per tenant directory"
        )
        if let socket {
            try await dockerPart(socket: socket, root: "\(root)/docker")
        }
        for count in tenantCounts {
            try await simulatedPart(tenants: count, root: "\(root)/sim-\(count)")
        }
        if let postgresURL {
            try await clusterPart(
                postgresURL: postgresURL, nodes: nodes, tenantsPerNode: clusterTenants, root: "\(root)/cluster")
        }
    }

    // MARK: A real dockerd

    func dockerPart(socket: String, root: String) async throws {
        let daemon = dockerdPid ?? Self.daemonPid(socket: socket)
        let runtime = try DockerRuntime(
            options: DockerRuntimeOptions(socketPath: socket, network: .host, statsFromCgroups: true),
            logger: .disabled)
        let viaAPI = try DockerRuntime(
            options: DockerRuntimeOptions(socketPath: socket, network: .host, statsFromCgroups: false),
            logger: .disabled)
        try await runtime.ping()
        let ids = (0..<containers).map { TenantID(trusted: "zb\(getpid())-\($0)") }
        let store = try await makeStore(root: root, tenants: ids, portBase: 35_000)
        print("")
        print("## \(containers) simulator containers on a real dockerd (\(socket))")
        do {
            for (index, id) in ids.enumerated() {
                let directory = "\(root)/tenants/\(id.rawValue)"
                chown(directory, 200_000, 200_000)
                let spec = ContainerSpec(
                    name: id.containerName, image: image, entrypoint: [], command: [], environment: [:],
                    labels: ["zcbench": "collect"], uid: 200_000, dataDirectory: directory, hostPort: 35_000 + index,
                    containerPort: 42617, memoryBytes: 64 << 20, cpuLimit: 0.5, pidsLimit: 64)
                _ = try await runtime.create(spec)
                try await runtime.start(ContainerID(tenant: id))
            }
            try await Task.sleep(for: .seconds(2))
            let directories = "\(root)/tenants"
            var rows: [(String, Cost)] = []
            for (label, source, walkAll) in [
                ("zcplatform, cgroup files, every directory walked", runtime, true),
                ("zcplatform, cgroup files, staggered disk walks (default)", runtime, false),
                ("zcplatform, Engine API stats fanned out, every directory walked", viaAPI, true),
            ] {
                let collector = ResourceCollector(
                    store: store, runtime: source,
                    settings: Self.settings(walkAll: walkAll, budget: .seconds(60)),
                    logger: .disabled, directory: { "\(directories)/\($0.rawValue)" })
                _ = try await collector.collect()  // the first cycle finds each container's cgroup
                rows.append((label, try await steady(collector, daemon: daemon)))
            }
            var baseline: [Cost] = []
            for _ in 0..<max(1, cycles / 2) {
                baseline.append(
                    try await Cost.measure(daemon: daemon) {
                        for id in ids {
                            try cli(
                                ["stats", "--no-stream", "--format", "{{json .}}", id.containerName], socket: socket)
                            try du("\(directories)/\(id.rawValue)")
                        }
                    })
            }
            rows.append(("original: docker stats --no-stream + du -sb per tenant", median(baseline)))
            printTable(rows, against: rows.last!.1)
        } catch {
            await cleanup(runtime, ids)
            await viaAPI.shutdown()
            await store.close()
            throw error
        }
        await cleanup(runtime, ids)
        await viaAPI.shutdown()
        await store.close()
    }

    func cleanup(_ runtime: DockerRuntime, _ ids: [TenantID]) async {
        for id in ids { try? await runtime.remove(ContainerID(tenant: id), force: true) }
        await runtime.shutdown()
    }

    // MARK: A simulated runtime

    func simulatedPart(tenants count: Int, root: String) async throws {
        let ids = (0..<count).map { TenantID(trusted: String(format: "sim-%05d", $0)) }
        let store = try await makeStore(root: root, tenants: ids, portBase: 20_000)
        let directories = "\(root)/tenants"
        print("")
        print("## \(Format.number(Double(count))) tenants on a simulated runtime (SQLite store, real directories)")
        var rows: [(String, Cost)] = []
        for (label, walkAll) in [
            ("every directory walked each cycle", true), ("staggered disk walks (default)", false),
        ] {
            let collector = ResourceCollector(
                store: store, runtime: SimulatedRuntime(),
                settings: Self.settings(walkAll: walkAll, budget: .seconds(2)),
                logger: .disabled, directory: { "\(directories)/\($0.rawValue)" })
            let first = try await Cost.measure(daemon: nil) { _ = try await collector.collect() }
            rows.append(("first cycle, \(label)", first))
            rows.append(("steady cycle, \(label)", try await steady(collector, daemon: nil)))
        }
        printTable(rows, against: nil)
        await store.close()
    }

    // MARK: Helpers

    /// The median cost of `cycles` cycles.
    /// The resource collector's settings as the platform's defaults have them, with the walk forced or not.
    static func settings(walkAll: Bool, budget: Duration) -> ResourceCollector.Settings {
        ResourceCollector.Settings(
            nodeID: "bench", interval: .seconds(60), concurrency: 32, timeout: .seconds(10),
            diskRefresh: walkAll ? .zero : .seconds(300), diskBudget: budget, diskMaxDepth: 64,
            diskMaxEntries: 1_000_000)
    }

    func steady(_ collector: ResourceCollector, daemon: Int32?) async throws -> Cost {
        var costs: [Cost] = []
        for _ in 0..<cycles {
            costs.append(try await Cost.measure(daemon: daemon) { _ = try await collector.collect() })
        }
        return median(costs)
    }

    func median(_ costs: [Cost]) -> Cost {
        costs.sorted { $0.wall < $1.wall }[costs.count / 2]
    }

    /// A fresh SQLite store holding `tenants`, running on node `bench`, and their directories.
    func makeStore(root: String, tenants: [TenantID], portBase: Int) async throws -> SQLiteStore {
        try FileManager.default.createDirectory(atPath: "\(root)/tenants", withIntermediateDirectories: true)
        let store = try SQLiteStore(options: SQLiteOptions(path: "\(root)/zcplatform.db"), logger: .disabled)
        try await store.migrate()
        let started = Timestamp.now().adding(seconds: -3600)
        for chunk in tenants.enumerated().map({ $0 }).chunked(1000) {
            try await store.withTransaction { transaction in
                for (index, id) in chunk {
                    try await transaction.insertTenant(
                        Tenant(
                            id: id, name: id.rawValue, plan: "default", status: .running, nodeID: "bench",
                            hostPort: portBase + index % 40_000, uid: 300_000 + index, createdAt: started,
                            startedAt: started))
                }
            }
        }
        let payload = Data(repeating: 0x61, count: 4096)
        for id in tenants {
            let directory = "\(root)/tenants/\(id.rawValue)"
            try FileManager.default.createDirectory(
                atPath: "\(directory)/.zeroclaw/state", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(directory)/memory", withIntermediateDirectories: true)
            for file in 0..<filesPerTenant {
                let path = file % 2 == 0 ? "\(directory)/memory/m\(file)" : "\(directory)/.zeroclaw/state/s\(file)"
                _ = FileManager.default.createFile(atPath: path, contents: payload.prefix(512 + file * 97))
            }
        }
        return store
    }

    func printTable(_ rows: [(String, Cost)], against baseline: Cost?) {
        print("")
        print(
            "| cycle | wall | CPU: this process | CPU: children | CPU: dockerd | CPU total | wall vs original | CPU vs original |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for (label, cost) in rows {
            var ratios = "| – | – |"
            if let baseline {
                ratios =
                    "| \(Format.number(baseline.wall / max(cost.wall, 1e-9), decimals: 1))× faster | \(Format.number(baseline.totalCPU / max(cost.totalCPU, 1e-9), decimals: 1))× less |"
            }
            print(
                "| \(label) | \(ms(cost.wall)) | \(ms(cost.ownCPU)) | \(ms(cost.childCPU)) | \(ms(cost.daemonCPU)) | \(ms(cost.totalCPU)) \(ratios)"
            )
        }
    }

    func ms(_ seconds: Double) -> String { "\(Format.number(seconds * 1000, decimals: 1)) ms" }

    @discardableResult
    func cli(_ arguments: [String], socket: String) throws -> Int32 {
        try run(docker, arguments, environment: ["DOCKER_HOST": "unix://\(socket)", "PATH": "/usr/bin:/bin"])
    }

    func du(_ path: String) throws {
        try run("/usr/bin/du", ["-sb", path], environment: ["PATH": "/usr/bin:/bin"])
    }

    @discardableResult
    func run(_ program: String, _ arguments: [String], environment: [String: String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkError("\(program) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return process.terminationStatus
    }

    /// The daemon's pid from `dockerd.pid` beside the socket (as `.ci/docker` writes it), if there.
    static func daemonPid(socket: String) -> Int32? {
        let file = (socket as NSString).deletingLastPathComponent + "/dockerd.pid"
        return (try? String(contentsOfFile: file, encoding: .utf8)).flatMap {
            Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
            ?? (try? String(contentsOfFile: "/var/run/docker.pid", encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
