import Foundation
import Glibc
import TestSupport
import Testing

@testable import ProcessRuntime

@Suite("Agent log tails and spawned descriptors")
struct AgentLogTailTests {
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("the last lines, across read blocks, without a trailing newline, fewer than asked")
    func lastLines() throws {
        let directory = try TemporaryDirectory("zc-tail")
        defer { directory.remove() }
        let path = directory.file("agent.log")
        let long = String(repeating: "x", count: 150_000)
        try Self.write("one\n\(long)\ntwo\nthree", to: path)
        #expect(AgentLog.lastLines(of: path, count: 2) == ["two", "three"])
        #expect(AgentLog.lastLines(of: path, count: 3) == [long, "two", "three"], "a line spanning three blocks")
        #expect(AgentLog.lastLines(of: path, count: 10) == ["one", long, "two", "three"])
        #expect(AgentLog.lastLines(of: directory.file("missing"), count: 3) == [])
    }

    @Test("a tail reads at most its byte bound: a line longer than that is not returned whole")
    func byteBound() throws {
        let directory = try TemporaryDirectory("zc-tail")
        defer { directory.remove() }
        let path = directory.file("agent.log")
        // What an agent can write: one line of 12 MiB, then short ones.
        try Self.write(String(repeating: "y", count: 12 << 20) + "\nlast\n", to: path)
        let lines = AgentLog.lastLines(of: path, count: 5, maxBytes: 1 << 20)
        #expect(lines == ["last"], "the cut line's start is missing, so it is left out")
        try Self.write(String(repeating: "z", count: 12 << 20), to: path)
        let only = AgentLog.lastLines(of: path, count: 5, maxBytes: 1 << 20)
        #expect(only.count == 1 && only[0].utf8.count == 1 << 20, "its end stands for a line that is all there is")
    }

    @Test("programs spawned at once each hold only their stdin, stdout and stderr")
    func noInheritedPipes() async throws {
        let spawned = try await withThrowingTaskGroup(of: ProcessSpawner.Spawned.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await Blocking.run {
                        try ProcessSpawner.spawn(["/bin/sleep", "300"], environment: [:], directory: "/")
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer {
            for child in spawned {
                kill(child.pid, SIGKILL)
                var status: Int32 = 0
                waitpid(child.pid, &status, 0)
                close(child.stdout)
                if let stderr = child.stderr { close(stderr) }
            }
        }
        for child in spawned {
            let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.pid)/fd")
                .compactMap(Int.init).sorted()
            #expect(descriptors == [0, 1, 2], "pid \(child.pid) holds \(descriptors)")
        }
    }
}
