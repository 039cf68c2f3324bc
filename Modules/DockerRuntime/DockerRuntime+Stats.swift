import Dispatch
import ZCCore

extension DockerRuntime {
    /// A collection cycle's samples: from the containers' cgroup files where this host shows them (one
    /// `inspect` per container the first time, to find its cgroup), else from the Engine API's one-shot
    /// stats, fanned out.
    public func stats(
        of ids: [ContainerID], concurrency: Int, timeout: Duration
    ) async throws
        -> ContainerStatsBatch
    {
        guard let reader = cgroupReader, !cgroupsUnavailable.withLock({ $0 }) else {
            return try await engineStats(of: ids, concurrency: concurrency, timeout: timeout)
        }
        let known = cgroupTargets.withLock { $0 }
        var batch = ContainerStatsBatch(source: "cgroup")
        let cached = ids.compactMap { id in known[id].map { (id, $0) } }
        for (id, stats) in await Self.readCgroups(cached, reader: reader) {
            batch.results[id] = .sample(stats)
        }
        // New containers, and ones whose cgroup went away (stopped, replaced): find their cgroup again.
        let unresolved = ids.filter { batch.results[$0] == nil }
        cgroupTargets.withLock { targets in for id in unresolved { targets[id] = nil } }
        let outcomes = await mapConcurrently(unresolved, limit: concurrency, timeout: timeout) { id in
            try await self.mainProcess(of: id)
        }
        var viaEngine: [ContainerID] = []
        var outage: ContainerRuntimeError?
        var found: [(ContainerID, CgroupStatsReader.Target)] = []
        for (id, outcome) in zip(unresolved, outcomes) {
            switch outcome {
            case .success(nil): batch.results[id] = .missing
            case .success(let pid?):
                var files = CgroupFiles()
                if let target = reader.target(forProcess: pid, files: &files) {
                    found.append((id, target))
                } else {
                    viaEngine.append(id)
                }
            case .failure(let error as ContainerRuntimeError):
                if case .unavailable = error { outage = error }
                batch.results[id] = .failed(error.publicMessage)
            case .failure(let error): batch.results[id] = .failed(String(describing: error))
            }
        }
        if !found.isEmpty {
            cgroupTargets.withLock { targets in for (id, target) in found { targets[id] = target } }
            let samples = await Self.readCgroups(found, reader: reader)
            for (id, _) in found { batch.results[id] = samples[id].map { .sample($0) } ?? .missing }
            batch.source = found[0].1.version.rawValue
        } else if let first = known.values.first {
            batch.source = first.version.rawValue
        }
        if !viaEngine.isEmpty {
            if found.isEmpty && known.isEmpty {
                // Not one container's cgroup is visible: this is not the Docker host (or not its pid
                // namespace). Stop trying.
                cgroupsUnavailable.withLock { $0 = true }
                logger.notice(
                    "stats.cgroups_unavailable",
                    ["detail": "containers' cgroups are not visible from here; using the Engine API's stats"])
            }
            let rest = try await engineStats(of: viaEngine, concurrency: concurrency, timeout: timeout)
            for (id, result) in rest.results { batch.results[id] = result }
            if found.isEmpty && known.isEmpty { batch.source = rest.source }
        }
        if let outage, !batch.results.values.contains(where: \.isSample) { throw outage }
        return batch
    }

    /// The Engine API's one-shot stats of every container, fanned out.
    func engineStats(
        of ids: [ContainerID], concurrency: Int, timeout: Duration
    ) async throws
        -> ContainerStatsBatch
    {
        var batch = try await fanOutStats(of: ids, concurrency: concurrency, timeout: timeout)
        batch.source = "engine-api"
        return batch
    }

    /// The host pid of the container's main process, or nil when it is not running.
    func mainProcess(of id: ContainerID) async throws -> Int? {
        let response = try await engine.request(.get, "/containers/\(id)/json")
        switch response.status.code {
        case 200:
            let inspect = try response.decode(DockerInspect.self)
            guard inspect.State.Status == "running", let pid = inspect.State.Pid, pid > 0 else { return nil }
            return pid
        case 404: return nil
        default: throw DockerEngine.error(response, container: id)
        }
    }

    /// Reads the targets' files on a thread of its own (blocking reads, thousands per cycle).
    static func readCgroups(
        _ targets: [(ContainerID, CgroupStatsReader.Target)], reader: CgroupStatsReader
    ) async
        -> [ContainerID: ContainerStats]
    {
        guard !targets.isEmpty else { return [:] }
        return await withCheckedContinuation { continuation in
            statsQueue.async {
                var files = CgroupFiles()
                var samples: [ContainerID: ContainerStats] = [:]
                for (id, target) in targets {
                    let now = DispatchTime.now().uptimeNanoseconds
                    if let stats = reader.read(target, files: &files, sampledAt: now) { samples[id] = stats }
                }
                continuation.resume(returning: samples)
            }
        }
    }

    static let statsQueue = DispatchQueue(label: "zcplatform.docker.cgroup-stats")
}
