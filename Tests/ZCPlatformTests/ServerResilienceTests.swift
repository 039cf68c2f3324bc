import Foundation
import Glibc
import TestSupport
import Testing
import ZCHTTP

@testable import ZCPlatform

/// The API server under a connection flood in a process with few descriptors: `accept` fails with
/// EMFILE, the listener backs off instead of spinning, and serves again once the flood is gone.
@Suite("API server out of descriptors")
struct ServerResilienceTests {
    /// A flood from another process: opens up to `count` connections to 127.0.0.1:`port`, prints how
    /// many, and holds them until its stdin closes.
    struct Flood {
        let child: ChildProcess

        init(port: Int, count: Int) throws {
            child = try ChildProcess(
                [
                    "python3", "-c",
                    """
                    import socket, sys
                    held = []
                    for _ in range(\(count)):
                        try:
                            held.append(socket.create_connection(("127.0.0.1", \(port)), timeout=2))
                        except OSError:
                            break
                    print(len(held), flush=True)
                    sys.stdin.read()
                    """,
                ], environment: ProcessInfo.processInfo.environment, stdin: true)
        }

        /// How many connections it holds, once it has made them all.
        func connected() async throws -> Int {
            let child = self.child
            return try await Blocking.run {
                var line: [UInt8] = []
                var byte: UInt8 = 0
                while line.last != 10 {
                    let count = read(child.stdout, &byte, 1)
                    if count < 0 && errno == EINTR { continue }
                    guard count == 1 else { break }
                    line.append(byte)
                }
                return Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            }
        }

        /// Closes every connection (the process ends).
        func end() async {
            let child = self.child
            child.closeInput()
            _ = try? await Blocking.run { child.wait() }
        }
    }

    /// `zcplatform serve` in `directory` under `RLIMIT_NOFILE` = `openFiles`, doing nothing but serve.
    static func serve(in directory: TemporaryDirectory, openFiles: Int) throws -> RunningCommand {
        try CommandRunner(directory: directory.path).start(
            ["serve"],
            environment: [
                "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_SERVER_ACCESS_LOG": "false",
                "ZCPLATFORM_RUNTIME_DRIVER": "process", "ZCPLATFORM_COLLECTORS_RESOURCE_ENABLED": "false",
                "ZCPLATFORM_COLLECTORS_USAGE_ENABLED": "false", "ZCPLATFORM_COLLECTORS_HEALTH_ENABLED": "false",
            ],
            openFiles: openFiles)
    }

    @Test("a flood against the connection budget: connections past half the descriptors are refused, nothing runs out")
    func connectionBudget() async throws {
        let directory = try TemporaryDirectory("zc-budget")
        defer { directory.remove() }
        let server = try Self.serve(in: directory, openFiles: 200)
        let port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
        #expect(server.stderrSoFar.contains("event=http.connection_limit max_connections=100 configured=4096"))
        let flood = try Flood(port: port, count: 300)
        #expect(try await flood.connected() >= 150, "the backlog takes the flood")
        try await Task.sleep(for: .seconds(1))
        await flood.end()
        let client = try HTTPClient()
        var metrics = ""
        for _ in 0..<100 where metrics.isEmpty {
            if let answer = try? await client.execute(
                .get, .tcp(host: "127.0.0.1", port: port), "/metrics", timeout: .seconds(2)), answer.status == .ok
            {
                metrics = String(decoding: answer.body, as: UTF8.self)
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let refused =
            metrics.split(separator: "\n").first {
                $0.hasPrefix("zcplatform_http_connections_refused_total{reason=\"server_full\"}")
            }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(refused >= 100, "connections past the budget are refused at once: \(refused)")
        #expect(!server.stderrSoFar.contains("event=http.accept_failed"), "the process never runs out")
        await client.shutdown()
        server.signal(SIGTERM)
        let result = await server.finished(timeout: 20)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
    }

    @Test("the connection budget is the configured maximum, or half the descriptor limit when lower")
    func budget() {
        #expect(ConnectionBudget.maxConnections(configured: 4096, descriptorLimit: 65_536) == 4096)
        #expect(ConnectionBudget.maxConnections(configured: 4096, descriptorLimit: 1024) == 512)
        #expect(ConnectionBudget.maxConnections(configured: 4096, descriptorLimit: 10) == 16)
        #expect(ConnectionBudget.maxConnections(configured: 100, descriptorLimit: nil) == 100)
    }

    /// User plus system CPU time of a process, in seconds, from `/proc/{pid}/stat`.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: end)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based, counting pid and comm).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("EMFILE under a flood: the listener backs off (no spinning) and serves again afterwards")
    func descriptorExhaustion() async throws {
        let directory = try TemporaryDirectory("zc-emfile")
        defer { directory.remove() }
        // The platform idles on about 31 descriptors; with 48, the flood runs it out before the connection
        // budget (half of 48) would refuse anything.
        let server = try Self.serve(in: directory, openFiles: 48)
        let port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
        let pid = server.pid

        // More connections than the server has descriptors: the ones past its limit wait in the backlog.
        let flood = try Flood(port: port, count: 200)
        let held = try await flood.connected()
        #expect(held >= 100, "the backlog takes the flood: \(held)")
        var failed = false
        for _ in 0..<200 where !failed {
            try await Task.sleep(for: .milliseconds(20))
            failed = server.stderrSoFar.contains("event=http.accept_failed")
        }
        #expect(failed, "accept fails with EMFILE and says so once: \(server.stderrSoFar.suffix(2000))")
        #expect(server.stderrSoFar.contains("Too many open files"))

        // Out of descriptors with connections waiting, a spinning loop burns a core; a backing-off one idles.
        let before = try #require(Self.cpuSeconds(pid), "the server is gone: \(server.stderrSoFar.suffix(3000))")
        try await Task.sleep(for: .seconds(2))
        let after = try #require(Self.cpuSeconds(pid), "the server is gone: \(server.stderrSoFar.suffix(3000))")
        let used = after - before
        #expect(used < 0.5, "CPU seconds used in 2 s while out of descriptors: \(used)")
        let episodes = server.stderrSoFar.components(separatedBy: "event=http.accept_failed").count - 1
        // Once per episode and listener (one per event loop), not once per failed call.
        #expect(
            (1...ProcessInfo.processInfo.activeProcessorCount).contains(episodes),
            "accept_failed logged \(episodes) times")

        await flood.end()
        let client = try HTTPClient()
        var status: HTTPStatus?
        for _ in 0..<100 where status != .ok {
            status = try? await client.execute(
                .get, .tcp(host: "127.0.0.1", port: port), "/healthz", timeout: .seconds(2)
            ).status
            if status != .ok { try await Task.sleep(for: .milliseconds(100)) }
        }
        await client.shutdown()
        #expect(status == .ok, "the server serves again once the flood is gone")
        #expect(server.stderrSoFar.contains("event=http.accept_recovered"))

        server.signal(SIGTERM)
        let result = await server.finished(timeout: 20)
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
    }
}
