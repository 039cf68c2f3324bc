import ZCCore

extension RuntimeConformance {
    static let lifecycleCases: [RuntimeConformanceCase] = [
        RuntimeConformanceCase("create, start, stop, start, restart, remove: states, idempotence and health") {
            subject in
            let runtime = subject.runtime
            let spec = try subject.makeSpec([:])
            let id = try await runtime.create(spec)
            try await require(try await runtime.inspect(id)?.state == .created, "a created container is created")
            try await runtime.start(id)
            try await runtime.start(id)  // already running: not an error
            try await waitHealthy(spec, on: subject.runtime)
            let running = try await runtime.inspect(id)
            try await require(running?.state == .running, "started: running, not \(String(describing: running?.state))")
            try await require(running?.startedAt != nil, "a running container says when it started")
            try await require(
                running?.name == spec.name, "inspect names it \(spec.name): \(String(describing: running?.name))")
            try await runtime.stop(id, timeout: .seconds(5))
            let stopped = try await runtime.inspect(id)
            try await require(stopped?.state == .exited, "stopped: exited, not \(String(describing: stopped?.state))")
            try await runtime.stop(id, timeout: .seconds(5))  // already stopped: not an error
            try await runtime.start(id)
            try await waitHealthy(spec, on: subject.runtime)
            try await runtime.restart(id, timeout: .seconds(5))
            try await waitHealthy(spec, on: subject.runtime)
            try await require(try await runtime.inspect(id)?.state == .running, "restarted: running")
            try await runtime.remove(id, force: true)
            try await require(try await runtime.inspect(id) == nil, "removed: gone")
        },
        RuntimeConformanceCase("the name is the id: every call answers to it") { subject in
            let spec = try subject.makeSpec([:])
            _ = try await subject.runtime.create(spec)
            let byName = ContainerID(spec.name)
            try await subject.runtime.start(byName)
            try await waitHealthy(spec, on: subject.runtime)
            try await require(try await subject.runtime.inspect(byName)?.state == .running, "inspect by name")
            try await subject.runtime.remove(byName, force: true)
        },
        RuntimeConformanceCase("list selects by every label given, and sees stopped containers") { subject in
            let group = "conformance-\(UInt32.random(in: 0...UInt32.max))"
            let first = try subject.makeSpec(["zcplatform.conformance": group, "zcplatform.role": "a"])
            let second = try subject.makeSpec(["zcplatform.conformance": group, "zcplatform.role": "b"])
            _ = try await subject.runtime.create(first)
            _ = try await subject.runtime.create(second)
            let both = try await subject.runtime.list(labels: ["zcplatform.conformance": group])
            try await require(Set(both.map(\.name)) == [first.name, second.name], "both listed: \(both.map(\.name))")
            let one = try await subject.runtime.list(labels: ["zcplatform.conformance": group, "zcplatform.role": "b"])
            try await require(one.map(\.name) == [second.name], "one listed: \(one.map(\.name))")
            try await require(one.first?.labels["zcplatform.role"] == "b", "its labels: \(one.first?.labels ?? [:])")
            let none = try await subject.runtime.list(labels: ["zcplatform.conformance": group + "-other"])
            try await require(none.isEmpty, "another value lists none: \(none.map(\.name))")
        },
    ]
}
