import Foundation
import ZCCore

/// A runtime with thousands of agents that answers a collection cycle's statistics at once with
/// growing counters: what remains of a cycle's cost is the collector's own (the store, the disk
/// walks, the bookkeeping).
struct SimulatedRuntime: ContainerRuntime {
    let driver = "simulated"
    let isolated = true

    func ping() async throws {}
    func create(_ spec: ContainerSpec) async throws -> ContainerID { ContainerID(spec.name) }
    func pinImage(_ reference: String) async throws -> String { reference + "@sha256:simulated" }
    func start(_ id: ContainerID) async throws {}
    func stop(_ id: ContainerID, timeout: Duration) async throws {}
    func restart(_ id: ContainerID, timeout: Duration) async throws {}
    func remove(_ id: ContainerID, force: Bool) async throws {}
    func inspect(_ id: ContainerID) async throws -> ContainerInfo? { nil }
    func list(labels: [String: String]) async throws -> [ContainerInfo] { [] }
    func logs(_ id: ContainerID, options: LogOptions, _ line: @Sendable (LogLine) async throws -> Void) async throws {}
    func exec(_ id: ContainerID, _ request: ExecRequest) async throws -> ExecResult {
        ExecResult(output: "", exitCode: 0)
    }
    func shutdown() async {}

    func stats(_ id: ContainerID) async throws -> ContainerStats {
        let now = DispatchTime.now().uptimeNanoseconds
        let seed = UInt64(abs(id.rawValue.hashValue % 1000))
        return ContainerStats(
            cpuNanoseconds: now / 50 + seed, memBytes: 7_000_000 + Int64(seed) * 1000, memLimit: 256 << 20,
            netIn: Int64(now / 1_000_000), netOut: Int64(now / 2_000_000), pids: 9, sampledAtNanoseconds: now)
    }

    func stats(of ids: [ContainerID], concurrency: Int, timeout: Duration) async throws -> ContainerStatsBatch {
        var batch = ContainerStatsBatch(source: "simulated")
        for id in ids { batch.results[id] = .sample(try await stats(id)) }
        return batch
    }
}
