import Foundation
import TestSupport
import Testing
import ZCCore

/// The monitoring stack against the real dockerd of CI and simulator containers: cgroup-read
/// snapshots, usage, the health checker after a `docker kill`, and a daemon outage that must not turn
/// the fleet to `error`.
@Suite(
    "Monitoring on a real Docker engine", .serialized,
    .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerMonitoringTests {
    @Test("snapshots, usage, a killed agent restarted by the health checker, a permanently broken one in error")
    func monitoring() async throws {
        var environment = try DockerLifecycleTests.environment()
        environment.merge(MonitoringFlow.fastCollectors) { $1 }
        let live = try await LivePlatform.start(environment)
        try await live.scoped {
            let id = DockerLifecycleTests.tenantID("mon")
            let port = try await MonitoringFlow.createAndDeploy(live, id)
            try await MonitoringFlow.checkResources(live, id, network: false)
            #expect(
                live.logs.renderedLines().contains { $0.contains("resource.stats_source") && $0.contains("cgroup") },
                "the Docker runtime reads cgroup files on this host")
            try await MonitoringFlow.checkUsage(live, id)
            try await MonitoringFlow.checkAutoRestart(live, id) {
                // The operator's `docker kill`: the restart policy does not bring a killed container back.
                let kill = try await Blocking.run {
                    try DockerLifecycleTests.dockerCLI(["kill", "zeroclaw-tenant-\(id)"])
                }
                #expect(kill?.status == 0, "\(kill?.output ?? "no docker CLI")")
            }
            try await MonitoringFlow.checkPermanentFailure(live, id, port: port)
            try await MonitoringFlow.checkMetrics(live)
        }
    }

    @Test("the runbook's direct fallback, docker stop and docker rm: the health checker recreates the container")
    func directFallback() async throws {
        var environment = try DockerLifecycleTests.environment()
        environment.merge(MonitoringFlow.fastCollectors) { $1 }
        let live = try await LivePlatform.start(environment)
        try await live.scoped {
            let id = DockerLifecycleTests.tenantID("rm")
            let name = "zeroclaw-tenant-\(id)"
            let port = try await MonitoringFlow.createAndDeploy(live, id)
            // The health checker may start the stopped container again before `docker rm` reaches it
            // ("cannot remove a running container"): then the operator stops it again and removes it.
            var removed: (status: Int32, output: String)?
            for _ in 0..<5 {
                let stopped = try await Blocking.run { try DockerLifecycleTests.dockerCLI(["stop", name]) }
                #expect(stopped?.status == 0, "docker stop \(name): \(stopped?.output ?? "no CLI")")
                removed = try await Blocking.run { try DockerLifecycleTests.dockerCLI(["rm", name]) }
                if removed?.status == 0 || removed?.output.contains("running container") != true { break }
            }
            #expect(removed?.status == 0, "docker rm \(name): \(removed?.output ?? "no CLI")")
            _ = try await MonitoringFlow.eventually("the container recreated", timeout: .seconds(45)) { () -> Bool? in
                let inspect = try await DockerLifecycleTests.inspect(name)
                let health = await live.agentHealth(port: port)
                return inspect.status == 200 && health == 200 ? true : nil
            }
            #expect(await live.auditActions(id).contains("tenant.auto_restart"))
            #expect(await live.call(.get, "/api/tenants/\(id)/status").json["status"] as? String == "running")
        }
    }

    @Test("the daemon unreachable: a runtime outage is reported, no tenant is marked error; it recovers")
    func outage() async throws {
        let proxyDirectory = try TemporaryDirectory("zc-proxy")
        let proxy = UnixSocketProxy(
            path: proxyDirectory.file("docker.sock"), upstream: try DockerTestEngine.requireSocket())
        try proxy.start()
        var environment = try DockerLifecycleTests.environment(socket: proxy.path)
        environment.merge(MonitoringFlow.fastCollectors) { $1 }
        let live = try await LivePlatform.start(environment)
        do {
            try await live.scoped {
                let ids = [DockerLifecycleTests.tenantID("out"), DockerLifecycleTests.tenantID("out")]
                for id in ids { _ = try await MonitoringFlow.createAndDeploy(live, id) }
                proxy.stop()
                _ = try await MonitoringFlow.eventually("the outage on the dashboard") { () -> Bool? in
                    let runtime = await live.call(.get, "/api/monitoring/dashboard").json["runtime"] as? [String: Any]
                    return runtime?["reachable"] as? Bool == false ? true : nil
                }
                // Several health cycles with the daemon gone (the failure threshold is two).
                try await Task.sleep(for: .seconds(4))
                for id in ids {
                    #expect(await live.call(.get, "/api/tenants/\(id)/status").json["status"] as? String == "running")
                    #expect(!(await live.auditActions(id).contains("tenant.failed")))
                }
                #expect(live.logs.renderedLines().contains { $0.contains("health.runtime_unavailable") })
                let metrics = await live.api.call(.get, "/metrics", token: nil).text
                #expect(metrics.contains("zcplatform_runtime_up{driver=\"docker\"} 0"))
                try proxy.start()
                _ = try await MonitoringFlow.eventually("the runtime back") { () -> Bool? in
                    let runtime = await live.call(.get, "/api/monitoring/dashboard").json["runtime"] as? [String: Any]
                    return runtime?["reachable"] as? Bool == true ? true : nil
                }
                #expect(live.logs.renderedLines().contains { $0.contains("health.runtime_recovered") })
            }
        } catch {
            proxy.stop()
            proxyDirectory.remove()
            throw error
        }
        proxy.stop()
        proxyDirectory.remove()
    }
}
