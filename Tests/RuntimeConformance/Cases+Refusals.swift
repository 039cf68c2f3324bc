import ZCCore

extension RuntimeConformance {
    static let refusalCases: [RuntimeConformanceCase] = [
        RuntimeConformanceCase("a second container of the same name is refused; the first is unharmed") { subject in
            let spec = try subject.makeSpec([:])
            let id = try await subject.runtime.create(spec)
            try await requireError(nil, "creating the name again") { _ = try await subject.runtime.create(spec) }
            try await require(try await subject.runtime.inspect(id)?.state == .created, "the first stays")
        },
        RuntimeConformanceCase("a running container is not removed without force") { subject in
            let spec = try subject.makeSpec([:])
            let id = try await subject.runtime.create(spec)
            try await subject.runtime.start(id)
            try await requireError(nil, "removing it running") { try await subject.runtime.remove(id, force: false) }
            try await require(try await subject.runtime.inspect(id)?.state == .running, "it still runs")
            try await subject.runtime.remove(id, force: true)
            try await require(try await subject.runtime.inspect(id) == nil, "forced: gone")
        },
        RuntimeConformanceCase("a container that does not exist: inspect says nil, everything else notFound") {
            subject in
            let runtime = subject.runtime
            let id = ContainerID("zeroclaw-tenant-conformance-never-made")
            try await require(try await runtime.inspect(id) == nil, "inspect: nil")
            try await requireError(.notFound(id), "start") { try await runtime.start(id) }
            try await requireError(.notFound(id), "stop") { try await runtime.stop(id, timeout: .seconds(1)) }
            try await requireError(.notFound(id), "restart") { try await runtime.restart(id, timeout: .seconds(1)) }
            try await requireError(.notFound(id), "remove") { try await runtime.remove(id, force: true) }
            try await requireError(.notFound(id), "stats") { _ = try await runtime.stats(id) }
            try await requireError(.notFound(id), "exec") {
                _ = try await runtime.exec(id, ExecRequest(argv: ["zeroclaw", "status"]))
            }
            try await requireError(.notFound(id), "logs") {
                try await runtime.logs(id, options: LogOptions(tail: 1)) { _ in }
            }
        },
    ]
}
