import ZCCore

extension RuntimeConformance {
    static let execCases: [RuntimeConformanceCase] = [
        RuntimeConformanceCase("exec: output, exit codes, a missing program, the output cap") { subject in
            let spec = try subject.makeSpec([:])
            let id = try await subject.runtime.create(spec)
            try await subject.runtime.start(id)
            try await waitHealthy(spec, on: subject.runtime)
            let status = try await subject.runtime.exec(id, ExecRequest(argv: ["zeroclaw", "status"]))
            try await require(status.exitCode == 0, "zeroclaw status exits 0: \(status.exitCode)")
            try await require(status.output.contains("zeroclaw status: running"), "its output: \(status.output)")
            try await require(!status.truncated, "a short output is whole")
            let failing = try await subject.runtime.exec(id, ExecRequest(argv: ["zeroclaw", "exit", "3"]))
            try await require(failing.exitCode == 3, "the program's exit code: \(failing.exitCode)")
            let missing = try await subject.runtime.exec(id, ExecRequest(argv: ["/nonexistent/program"]))
            try await require(missing.exitCode != 0, "a missing program fails: \(missing.exitCode)")
            let capped = try await subject.runtime.exec(
                id, ExecRequest(argv: ["zeroclaw", "status"], outputLimit: 10))
            try await require(
                capped.truncated && capped.output.utf8.count == 10, "capped at 10 bytes: \(capped.output)")
        }
    ]
}
