import Foundation
import Synchronization
import TestSupport
import Testing
import ZCHTTP

/// The server killed with SIGKILL while collectors and API clients write: it must come back with a sound
/// database and every write it acknowledged.
@Suite("Crash safety")
struct CrashSafetyTests {
    static let environment = [
        "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_RUNTIME_DRIVER": "process",
        "ZCPLATFORM_RUNTIME_PORT_RANGE_START": "30150", "ZCPLATFORM_RUNTIME_PORT_RANGE_END": "30199",
        "ZCPLATFORM_COLLECTORS_RESOURCE_INTERVAL_SECONDS": "1", "ZCPLATFORM_COLLECTORS_USAGE_INTERVAL_SECONDS": "1",
        "ZCPLATFORM_COLLECTORS_HEALTH_INTERVAL_SECONDS": "1",
    ]

    /// Starts `serve --demo` and waits for its port and the admin token (printed on the first start only).
    static func start(_ cli: CommandRunner) async throws -> (RunningCommand, Int, String?) {
        let server = try cli.start(["serve", "--demo"], environment: environment)
        let port = try await server.listeningPort()
        try await Task.sleep(for: .milliseconds(100))
        let token = server.stdoutSoFar.split(separator: "\n").first.map(String.init)
        return (server, try #require(port, "\(server.stderrSoFar)"), token)
    }

    @Test("SIGKILL during collector and API writes: integrity_check ok, no acknowledged row missing")
    func killed() async throws {
        guard SQLiteShell.required() else { return }
        let directory = try TemporaryDirectory("zc-crash")
        defer { directory.remove() }
        let cli = CommandRunner(directory: directory.path)
        let (server, port, token) = try await Self.start(cli)
        let bearer = try #require(token)
        let client = try HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: .seconds(1), readTimeout: .seconds(5)))
        func call(_ method: HTTPMethod, _ target: String, on port: Int, body: String? = nil) async -> Int? {
            try? await client.execute(
                method, .tcp(host: "127.0.0.1", port: port), target,
                headers: ["Authorization": "Bearer \(bearer)", "Content-Type": "application/json"],
                body: Array((body ?? "").utf8), timeout: .seconds(5)
            ).status.code
        }
        // The demo agent runs, so the collectors write snapshots every second.
        for _ in 0..<300 {
            try await Task.sleep(for: .milliseconds(50))
            if let answer = try? await client.execute(
                .get, .tcp(host: "127.0.0.1", port: port), "/api/tenants/demo/status",
                headers: ["Authorization": "Bearer \(bearer)"]),
                String(decoding: answer.body, as: UTF8.self).contains("\"running\"")
            {
                break
            }
        }
        try await Task.sleep(for: .seconds(2))
        let acknowledged = Mutex<[String]>([])
        let writer = Task {
            var index = 0
            while !Task.isCancelled {
                let id = "crash-\(index)"
                if await call(.post, "/api/tenants", on: port, body: #"{"id":"\#(id)","name":"Crash \#(index)"}"#)
                    == 201
                {
                    acknowledged.withLock { $0.append(id) }
                }
                index += 1
            }
        }
        // Killed mid-stream once a few writes were acknowledged (however slow the machine), the writer still going.
        let deadline = ContinuousClock.now + .seconds(20)
        while acknowledged.withLock({ $0.count }) < 8, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        server.signal(SIGKILL)
        _ = await server.finished(timeout: 10)
        writer.cancel()
        _ = await writer.value
        let written = acknowledged.withLock { $0 }
        #expect(written.count > 5, "the API acknowledged writes before the kill")

        let database = directory.file("data/zcplatform.db")
        let check = try await SQLiteShell.run(database, "PRAGMA integrity_check")
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(check.stdout)\(check.stderr)")
        let (restarted, newPort, _) = try await Self.start(cli)
        for id in written {
            #expect(
                await call(.get, "/api/tenants/\(id)", on: newPort) == 200, "\(id) was acknowledged before the kill")
        }
        let snapshots = try await SQLiteShell.run(database, "SELECT COUNT(*) FROM resource_snapshots")
        #expect((Int(snapshots.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "collector rows kept")
        await client.shutdown()
        restarted.signal(SIGTERM)
        let ended = await restarted.finished(timeout: 20)
        #expect(ended.status == 0, "\(ended.stderr.suffix(2000))")
    }
}
