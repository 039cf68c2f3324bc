import ZCCore

extension RuntimeConformance {
    static let observationCases: [RuntimeConformanceCase] = [
        RuntimeConformanceCase("logs: the agent's lines, a tail of one") { subject in
            let spec = try subject.makeSpec([:])
            let id = try await subject.runtime.create(spec)
            try await subject.runtime.start(id)
            try await waitHealthy(spec, on: subject.runtime)
            // The agent may answer /health a moment before its output is collected: look again for a while.
            var lines = CollectedLines()
            let deadline = ContinuousClock.now + .seconds(5)
            repeat {
                let collected = CollectedLines()
                try await subject.runtime.logs(id, options: LogOptions(tail: 100)) { collected.append($0) }
                lines = collected
                if lines.texts.contains(where: { $0.contains("listening on 127.0.0.1:\(spec.hostPort)") }) { break }
                try await Task.sleep(for: .milliseconds(50))
            } while ContinuousClock.now < deadline
            try await require(
                lines.texts.contains { $0.contains("listening on 127.0.0.1:\(spec.hostPort)") },
                "the agent's start is logged: \(lines.texts)")
            let last = CollectedLines()
            try await subject.runtime.logs(id, options: LogOptions(tail: 1)) { last.append($0) }
            try await require(last.texts.count == 1, "a tail of one: \(last.texts)")
        },
        RuntimeConformanceCase("stats: memory within the plan's limit, processes; several at once") { subject in
            let spec = try subject.makeSpec([:])
            let id = try await subject.runtime.create(spec)
            try await subject.runtime.start(id)
            try await waitHealthy(spec, on: subject.runtime)
            let stats = try await subject.runtime.stats(id)
            try await require(stats.memBytes > 0, "memory in use: \(stats.memBytes)")
            try await require(stats.memLimit == spec.memoryBytes, "the limit is the spec's: \(stats.memLimit)")
            try await require(stats.pids >= 1, "processes: \(stats.pids)")
            let missing = ContainerID("zeroclaw-tenant-conformance-never-made")
            let batch = try await subject.runtime.stats(of: [id, missing], concurrency: 2, timeout: .seconds(10))
            try await require(batch.results.count == 2, "a result for each: \(batch.results.keys)")
            if case .sample? = batch.results[id] {
            } else {
                throw RuntimeConformanceFailure("a sample of the running one: \(String(describing: batch.results[id]))")
            }
            if case .sample? = batch.results[missing] {
                throw RuntimeConformanceFailure("no sample of one that does not exist")
            }
        },
    ]
}
