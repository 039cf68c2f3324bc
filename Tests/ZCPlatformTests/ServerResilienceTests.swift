import Foundation
import Glibc
import TestSupport
import Testing
import ZCHTTP

/// The API server under a connection flood in a process with few descriptors: `accept` fails with
/// EMFILE, the listener backs off instead of spinning, and serves again once the flood is gone.
@Suite("API server out of descriptors")
struct ServerResilienceTests {
    /// Connects to 127.0.0.1:`port` and keeps the connection open; nil when the connect fails.
    static func connect(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(fd)
            return nil
        }
        return fd
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
        let cli = CommandRunner(directory: directory.path)
        let server = try cli.start(
            ["serve"],
            environment: [
                "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_SERVER_ACCESS_LOG": "false",
                "ZCPLATFORM_RUNTIME_DRIVER": "process", "ZCPLATFORM_COLLECTORS_RESOURCE_ENABLED": "false",
                "ZCPLATFORM_COLLECTORS_USAGE_ENABLED": "false", "ZCPLATFORM_COLLECTORS_HEALTH_ENABLED": "false",
            ],
            openFiles: 96)
        let port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
        let pid = server.process.processIdentifier

        // More connections than the server has descriptors: the ones past its limit wait in the backlog.
        var flood: [Int32] = []
        defer { for fd in flood { close(fd) } }
        for _ in 0..<200 {
            guard let fd = Self.connect(port) else { break }
            flood.append(fd)
        }
        #expect(flood.count >= 100, "the backlog takes the flood: \(flood.count)")
        var failed = false
        for _ in 0..<200 where !failed {
            try await Task.sleep(for: .milliseconds(20))
            failed = server.stderrSoFar.contains("event=http.accept_failed")
        }
        #expect(failed, "accept fails with EMFILE and says so once: \(server.stderrSoFar.suffix(2000))")
        #expect(server.stderrSoFar.contains("Too many open files"))

        // Out of descriptors with connections waiting, a spinning loop burns a core; a backing-off one idles.
        let before = try #require(Self.cpuSeconds(pid))
        try await Task.sleep(for: .seconds(2))
        let used = try #require(Self.cpuSeconds(pid)) - before
        #expect(used < 0.5, "CPU seconds used in 2 s while out of descriptors: \(used)")
        let episodes = server.stderrSoFar.components(separatedBy: "event=http.accept_failed").count - 1
        // Once per episode and listener (one per event loop), not once per failed call.
        #expect(
            (1...ProcessInfo.processInfo.activeProcessorCount).contains(episodes),
            "accept_failed logged \(episodes) times")

        for fd in flood { close(fd) }
        flood = []
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
