import Foundation
import TestSupport
import Testing
import ZCCore
import ZCHTTP

/// `zcplatform serve` on a real dockerd, killed with SIGKILL while a rollout's batch is gating: started
/// again, it takes the rollout up where it was and completes it; every tenant runs the next image with its
/// data, and none was ever left on neither image.
@Suite(
    "Agent rollouts survive kill -9 (Docker runtime)", .serialized,
    .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerRolloutCrashTests {
    @Test(
        "SIGKILL mid-rollout: restarted, the rollout resumes and completes; each tenant on the next image with its data"
    )
    func killedMidRollout() async throws {
        let directory = try TemporaryDirectory("zc-rollout-crash")
        defer { directory.remove() }
        let cli = CommandRunner(directory: directory.path)
        var environment = try DockerLifecycleTests.environment()
        environment["ZCPLATFORM_SERVER_PORT"] = "0"
        environment["ZCPLATFORM_CLUSTER_NODE_ID"] = "crash-\(UUID().uuidString.prefix(6).lowercased())"
        environment["ZCPLATFORM_RUNTIME_PORT_RANGE_START"] = "29900"
        environment["ZCPLATFORM_RUNTIME_PORT_RANGE_END"] = "29949"
        environment["ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS"] = "20"
        let bootstrap = try await cli.run(["bootstrap", "--admin-email", "ops@example.com"], environment: environment)
        #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
        let token = try #require(bootstrap.stdoutLines.last)
        let client = try HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), readTimeout: .seconds(20)))
        var server = try cli.start(["serve"], environment: environment)
        var port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
        func call(_ method: HTTPMethod, _ target: String, _ body: String? = nil) async throws -> [String: Any] {
            let response = try await client.execute(
                method, .tcp(host: "127.0.0.1", port: port), target,
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                body: Array((body ?? "").utf8))
            return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
        }
        let tenants = (1...3).map { "kr\($0)-\(UUID().uuidString.prefix(4).lowercased())" }
        do {
            for id in tenants {
                _ = try await call(.post, "/api/tenants", #"{"id":"\#(id)","name":"\#(id)"}"#)
                _ = try await call(.post, "/api/tenants/\(id)/deploy")
            }
            for id in tenants {
                #expect(
                    try await waitUntil(.seconds(60), every: .milliseconds(200)) {
                        try await call(.get, "/api/tenants/\(id)/status")["status"] as? String == "running"
                    }, "\(id)")
                try Data("marker of \(id)\n".utf8).write(
                    to: URL(fileURLWithPath: directory.file("data/tenants/\(id)/marker")))
            }
            let started = try await call(
                .post, "/api/rollouts",
                #"{"image":"\#(DockerTestEngine.nextAgentImage)","canary":1,"batch_size":1,"health_seconds":4}"#)
            let rollout = try #require(started["id"] as? String, "\(started)")
            // The canary passed and the next tenant's update is under way: kill -9.
            #expect(
                try await waitUntil(.seconds(90), every: .milliseconds(100)) {
                    let counts = try await call(.get, "/api/rollouts/\(rollout)")["counts"] as? [String: Int] ?? [:]
                    return (counts["healthy"] ?? 0) >= 1 && (counts["updating"] ?? 0) >= 1
                })
            server.signal(SIGKILL)
            _ = await server.finished()
            // Meanwhile every tenant's record names one of the two images, never neither (its container may
            // be gone for the moment: a kill between removing the old one and creating the new).
            if SQLiteShell.required() {
                for id in tenants {
                    let image = try await SQLiteShell.run(
                        directory.file("data/zcplatform.db"), "SELECT image FROM tenants WHERE id = '\(id)'"
                    ).stdout
                    #expect(
                        image.hasPrefix("\(DockerTestEngine.agentImage)@")
                            || image.hasPrefix("\(DockerTestEngine.nextAgentImage)@"),
                        "\(id): \(image)")
                }
            }
            server = try cli.start(["serve"], environment: environment)
            port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
            var last: [String: Any] = [:]
            #expect(
                try await waitUntil(.seconds(120), every: .milliseconds(200)) {
                    last = try await call(.get, "/api/rollouts/\(rollout)")
                    return ["completed", "rolled_back", "failed"].contains(last["state"] as? String ?? "")
                })
            #expect(last["state"] as? String == "completed", "\(last)")
            for id in tenants {
                let tenant = try await call(.get, "/api/tenants/\(id)")
                #expect(
                    (tenant["image"] as? String)?.hasPrefix("\(DockerTestEngine.nextAgentImage)@") == true, "\(tenant)")
                #expect(
                    try await waitUntil(.seconds(30)) {
                        try await call(.get, "/api/tenants/\(id)/status")["status"] as? String == "running"
                    }, "\(id)")
                let container = try await DockerLifecycleTests.inspect("zeroclaw-tenant-\(id)").fields
                guard case .object(let config)? = container["Config"], case .array(let variables)? = config["Env"]
                else {
                    Issue.record("no Config.Env for \(id)")
                    continue
                }
                #expect(variables.contains(.string("ZCSIM_VERSION=next")), "\(id) runs the next image")
                let marker = try? String(contentsOfFile: directory.file("data/tenants/\(id)/marker"), encoding: .utf8)
                #expect(marker == "marker of \(id)\n", "\(id) lost its data")
            }
        } catch {
            Issue.record("\(error): \(server.stderrSoFar.suffix(3000))")
        }
        server.signal(SIGTERM)
        _ = await server.finished()
        for id in tenants { _ = try? DockerLifecycleTests.dockerCLI(["rm", "-f", "zeroclaw-tenant-\(id)"]) }
        await client.shutdown()
    }
}
