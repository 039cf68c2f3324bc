import Foundation
import TestSupport
import Testing
import ZCCore
import ZCHTTP
import ZCTOML

@testable import ZCPlatform

/// The tenant lifecycle through the REST API on the process runtime (no Docker needed): the runbook's
/// operations end to end against the agent simulator.
@Suite("Tenant lifecycle through the API (process runtime)", .serialized)
struct TenantLifecycleTests {
    static let apiKey = "sk-test-4f1c9e2a-api-key"
    static let botToken = "bot-token-7d3b1a-secret"

    @Test("create → deploy → running → logs → exec → restart → stop → start → reconfigure → delete")
    func fullLifecycle() async throws {
        let live = try await LivePlatform.start()
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"acme","name":"Acme Corp"}"#).status == 201)
            #expect(
                await live.call(
                    .patch, "/api/tenants/acme/config",
                    json: #"{"provider":"openrouter","model":"sim/model-1","api_key":"\#(Self.apiKey)"}"#
                ).status == 200)
            #expect(
                await live.call(
                    .post, "/api/tenants/acme/channels",
                    json:
                        #"{"kind":"telegram","name":"support","secret":"\#(Self.botToken)","settings":{"allowed_users":["alice"]}}"#
                ).status == 201)

            let deploy = await live.call(.post, "/api/tenants/acme/deploy")
            #expect(deploy.status == 202)
            #expect(deploy.json["status"] as? String == "deploying")
            let status = try await live.waitFor("acme", "running")
            let port = try #require(status["port"] as? Int)
            let range = live.api.platform.configuration.runtime.portRange
            #expect(range.contains(port))
            #expect(status["uptime"] as? Int != nil)
            #expect(await live.agentHealth(port: port) == 200)

            // The agent's config: rendered with the TOML encoder, secrets opened into a 0600 file.
            let configPath = live.api.directory.file("tenants/acme/.zeroclaw/config.toml")
            let config = try String(contentsOfFile: configPath, encoding: .utf8)
            let table = try TOML.decode(config)
            #expect(try ZeroClawSchema.load().problems(in: table, free: ["simulator"]) == [], "\(config)")
            #expect(table["schema_version"] == .integer(3))
            #expect(
                table.value(atPath: ["providers", "models", "openrouter", "default", "api_key"]) == .string(Self.apiKey)
            )
            #expect(table.value(atPath: ["providers", "models", "openrouter", "default", "model"]) == "sim/model-1")
            #expect(table.value(atPath: ["channels", "telegram", "default", "enabled"]) == .boolean(true))
            #expect(table.value(atPath: ["channels", "telegram", "default", "bot_token"]) == .string(Self.botToken))
            #expect(table.value(atPath: ["observability", "backend"]) == "prometheus")
            // The agent reads the channel as enabled and reports it.
            let health = try #require(await live.agentHealthBody(port: port))
            #expect(health.contains(#""channel:telegram":{"status":"ok""#), "\(health)")

            // A client pairs with the agent, which records it in the same file; every rewrite keeps it.
            try
                (config.replacingOccurrences(
                    of: "[gateway]\n", with: "[gateway]\npaired_tokens = [\"paired-client-hash\"]\n"))
                .write(toFile: configPath, atomically: false, encoding: .utf8)
            var info = stat()
            #expect(stat(configPath, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)

            let logs = await live.call(.get, "/api/tenants/acme/logs?tail=50")
            #expect(logs.status == 200)
            let lines = (try? JSONSerialization.jsonObject(with: Data(logs.text.utf8)) as? [String]) ?? []
            #expect(lines.contains { $0.contains("listening on 127.0.0.1:\(port)") })

            let exec = await live.call(.post, "/api/tenants/acme/exec", json: #"{"command": "zeroclaw status"}"#)
            #expect(exec.status == 200)
            #expect(exec.json["exit_code"] as? Int == 0)
            #expect((exec.json["output"] as? String)?.contains("zeroclaw status: running") == true)
            let slow = await live.call(
                .post, "/api/tenants/acme/exec", json: #"{"argv": ["zeroclaw", "sleep", "30"], "timeout_seconds": 1}"#)
            #expect(slow.status == 200)
            #expect(slow.json["timed_out"] as? Bool == true)

            let restart = await live.call(.post, "/api/tenants/acme/restart")
            #expect(restart.status == 200, "\(restart.text)")
            #expect(restart.json["status"] as? String == "running")
            try await waitHealthy(live, port)

            let stop = await live.call(.post, "/api/tenants/acme/stop")
            #expect(stop.status == 200)
            #expect(stop.json["status"] as? String == "stopped")
            #expect(await live.agentHealth(port: port) == nil)
            #expect(await live.call(.post, "/api/tenants/acme/stop").status == 409)
            #expect(
                await live.call(.post, "/api/tenants/acme/exec", json: #"{"command":"zeroclaw status"}"#).status == 409)
            let start = await live.call(.post, "/api/tenants/acme/start")
            #expect(start.status == 200)
            try await waitHealthy(live, port)

            // A config change re-renders the file and restarts the running agent.
            #expect(
                await live.call(.patch, "/api/tenants/acme/config", json: #"{"model":"sim/model-2"}"#).status == 200)
            let deadline = ContinuousClock.now + .seconds(15)
            while !(await live.auditActions("acme")).contains("tenant.reconfigure"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            let rewritten = try TOML.decode(try String(contentsOfFile: configPath, encoding: .utf8))
            #expect(
                rewritten.value(atPath: ["providers", "models", "openrouter", "default", "model"]) == "sim/model-2")
            #expect(
                rewritten.value(atPath: ["gateway", "paired_tokens"]) == .array(["paired-client-hash"]),
                "the pairing survives the rewrite")
            try await waitHealthy(live, port)

            let deleted = await live.call(.delete, "/api/tenants/acme")
            #expect(deleted.status == 204, "\(deleted.text)")
            #expect(await live.call(.get, "/api/tenants/acme").status == 404)
            #expect(await live.agentHealth(port: port) == nil)
            #expect(!FileManager.default.fileExists(atPath: live.api.directory.file("tenants/acme")))
            let moved = try FileManager.default.contentsOfDirectory(atPath: live.api.directory.file("tenants/.deleted"))
            #expect(moved.count == 1 && moved[0].hasPrefix("acme."))

            let actions = await live.auditActions("acme")
            for action in [
                "tenant.create", "tenant.deploy", "tenant.deployed", "tenant.exec", "tenant.restart", "tenant.stop",
                "tenant.start", "tenant.reconfigure", "tenant.delete",
            ] {
                #expect(actions.contains(action), "audit lacks \(action): \(actions)")
            }
            // Exec is audited without its arguments; no secret anywhere in the audit or the platform's log.
            let audit = await live.call(.get, "/api/monitoring/audit?tenant=acme&limit=1000").text
            #expect(!audit.contains(Self.apiKey) && !audit.contains(Self.botToken))
            let logText = live.logs.renderedLines().joined(separator: "\n")
            #expect(!logText.contains(Self.apiKey) && !logText.contains(Self.botToken))
        }
    }

    @Test("follow=1 streams the agent's new lines as server-sent events")
    func followLogs() async throws {
        let live = try await LivePlatform.start()
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"follow","name":"F"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/follow/deploy").status == 202)
            let port = try #require(try await live.waitFor("follow", "running")["port"] as? Int)
            let client = try HTTPClient()
            defer { Task { await client.shutdown() } }
            let stream = try await client.stream(
                .get, .tcp(host: "127.0.0.1", port: live.port), "/api/tenants/follow/logs?tail=1&follow=1",
                headers: ["Authorization": "Bearer \(live.admin)"])
            #expect(stream.status == .ok)
            #expect(stream.headers.values("Content-Type").first == "text/event-stream")
            try await live.postToAgent(port: port, "/sim/mode", "unhealthy")
            var received = ""
            for try await piece in stream.body {
                received += String(decoding: piece, as: UTF8.self)
                if received.contains("data: zcagent-sim: mode unhealthy\n\n") { break }
            }
            #expect(received.hasPrefix(": following\n\n"))
            #expect(received.contains("data: zcagent-sim: mode unhealthy\n\n"))
        }
    }

    @Test("an agent that never becomes healthy ends the deploy in error, with the step and cause")
    func neverHealthy() async throws {
        let live = try await LivePlatform.start(["ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS": "2"])
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"sick","name":"Sick"}"#).status == 201)
            #expect(
                await live.call(
                    .patch, "/api/tenants/sick/config", json: #"{"settings":{"simulator":{"mode":"unhealthy"}}}"#
                )
                .status == 200)
            #expect(await live.call(.post, "/api/tenants/sick/deploy").status == 202)
            let status = try await live.waitFor("sick", "error")
            let message = try #require(status["error_message"] as? String)
            #expect(message.hasPrefix("health: the agent did not answer /health on 127.0.0.1:"), "\(message)")
            #expect(message.contains("answered 503"), "\(message)")
            #expect(await live.auditActions("sick").contains("tenant.deploy_failed"))
            // From error, a deploy may be tried again, and the logs of the failed agent stay readable.
            #expect(await live.call(.get, "/api/tenants/sick/logs").status == 200)
            #expect(await live.call(.patch, "/api/tenants/sick/config", json: #"{"settings":{}}"#).status == 200)
            #expect(await live.call(.post, "/api/tenants/sick/deploy").status == 202)
            try await live.waitFor("sick", "running")
        }
    }

    @Test("a missing agent program ends the deploy in error at 'create container'")
    func missingAgent() async throws {
        let live = try await LivePlatform.start(["ZCPLATFORM_RUNTIME_AGENT_COMMAND": "/nonexistent/zeroclaw daemon"])
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"ghost","name":"G"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/ghost/deploy").status == 202)
            let status = try await live.waitFor("ghost", "error")
            // The host path is not for viewers: the key that names it stands in.
            #expect(
                status["error_message"] as? String
                    == "create container: container runtime error: the agent command {runtime.agent_command} is not an executable file"
            )
        }
    }

    @Test("deploys racing for ports never collide")
    func racingDeploys() async throws {
        let live = try await LivePlatform.start(["ZCPLATFORM_RUNTIME_DEPLOY_CONCURRENCY": "8"])
        try await live.scoped {
            let ids = (1...8).map { "race-\($0)" }
            for id in ids {
                #expect(await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"\#(id)"}"#).status == 201)
            }
            await withTaskGroup(of: Void.self) { group in
                for id in ids {
                    group.addTask { #expect(await live.call(.post, "/api/tenants/\(id)/deploy").status == 202) }
                }
            }
            var ports: Set<Int> = []
            for id in ids {
                let status = try await live.waitFor(id, "running")
                if let port = status["port"] as? Int { ports.insert(port) }
            }
            #expect(ports.count == ids.count)
            let tenants = try await live.api.store.read { try await $0.tenants(.all) }
            #expect(Set(tenants.compactMap(\.uid)).count == ids.count)
            for port in ports { #expect(await live.agentHealth(port: port) == 200) }
        }
    }

    @Test("after a restart of the platform, reconciliation brings running tenants back")
    func reconcileAfterRestart() async throws {
        let first = try await LivePlatform.start()
        let directory = first.api.directory
        defer { directory.remove() }
        #expect(await first.call(.post, "/api/tenants", json: #"{"id":"keep","name":"K"}"#).status == 201)
        #expect(await first.call(.post, "/api/tenants", json: #"{"id":"rest","name":"R"}"#).status == 201)
        #expect(await first.call(.post, "/api/tenants/keep/deploy").status == 202)
        #expect(await first.call(.post, "/api/tenants/rest/deploy").status == 202)
        let port = try #require(try await first.waitFor("keep", "running")["port"] as? Int)
        try await first.waitFor("rest", "running")
        #expect(await first.call(.post, "/api/tenants/rest/stop").status == 200)
        await first.stop()
        #expect(await first.agentHealth(port: port) == nil)  // the process runtime's agents end with it

        let second = try await first.restarted()
        try await second.scoped {
            try await waitHealthy(second, port)
            #expect(try await second.waitFor("keep", "running")["port"] as? Int == port)
            #expect(try await second.waitFor("rest", "stopped")["status"] as? String == "stopped")
            let reconcile = try #require(
                await second.api.store.read { try await $0.auditEvents(AuditQuery(action: "platform.reconcile")) }
                    .events
                    .first)
            #expect(reconcile.detail["recreated"] == ["keep"])
        }
    }

    @Test(
        "a link the tenant planted as .zeroclaw: config changes and restarts are refused and audited, nothing lands outside"
    )
    func plantedLink() async throws {
        let live = try await LivePlatform.start()
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"evil","name":"E"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/evil/deploy").status == 202)
            try await live.waitFor("evil", "running")
            // What the agent can do to its own directory: .zeroclaw becomes a link to a host directory.
            let host = live.api.directory.file("host-etc")
            try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
            let agent = live.api.directory.file("tenants/evil/.zeroclaw")
            try FileManager.default.removeItem(atPath: agent)
            try FileManager.default.createSymbolicLink(atPath: agent, withDestinationPath: host)

            #expect(await live.call(.patch, "/api/tenants/evil/config", json: #"{"model":"m-2"}"#).status == 200)
            let deadline = ContinuousClock.now + .seconds(15)
            while !(await live.auditActions("evil")).contains("tenant.reconfigure_failed"),
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(100))
            }
            let restart = await live.call(.post, "/api/tenants/evil/restart")
            #expect(restart.status == 409, "\(restart.text)")
            #expect(
                (restart.json["error"] as? String)?.contains(
                    "holds a symbolic link at .zeroclaw where a directory belongs")
                    == true, "\(restart.text)")
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: host).isEmpty, "nothing written outside the tree")
            let events = await live.auditEvents("evil")
            let refused = events.filter { $0["action"] as? String == "tenant.tree_refused" }
            #expect(refused.count >= 2, "\(events)")
            let detail = refused.first?["detail"] as? [String: Any]
            #expect(detail?["path"] as? String == ".zeroclaw" && detail?["found"] as? String == "a symbolic link")
            let failed = events.first { $0["action"] as? String == "tenant.reconfigure_failed" }
            let cause = (failed?["detail"] as? [String: Any])?["cause"] as? String
            #expect(cause?.contains("symbolic link at .zeroclaw") == true, "\(String(describing: failed))")
            #expect(!(cause ?? "").contains(live.api.directory.path), "no host path in what members read")
        }
    }

    @Test("exec under the process runtime is refused unless runtime.process_exec allows it")
    func execOff() async throws {
        let live = try await LivePlatform.start(["ZCPLATFORM_RUNTIME_PROCESS_EXEC": "false"])
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"noexec","name":"N"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/noexec/deploy").status == 202)
            try await live.waitFor("noexec", "running")
            let exec = await live.call(.post, "/api/tenants/noexec/exec", json: #"{"argv":["zeroclaw","status"]}"#)
            #expect(exec.status == 403)
            #expect((exec.json["error"] as? String)?.contains("runtime.process_exec = true") == true, "\(exec.text)")
        }
    }

    @Test(
        "runtime.publish_address: the gateway answers on that address only, and deploys, health checks and usage scrapes reach it there"
    )
    func publishAddress() async throws {
        let live = try await LivePlatform.start([
            "ZCPLATFORM_RUNTIME_PUBLISH_ADDRESS": "127.0.0.2", "ZCPLATFORM_COLLECTORS_HEALTH_INTERVAL_SECONDS": "1",
            "ZCPLATFORM_COLLECTORS_USAGE_INTERVAL_SECONDS": "1",
        ])
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"published","name":"P"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/published/deploy").status == 202)
            try await live.waitFor("published", "running")
            let port = try #require(await live.call(.get, "/api/tenants/published").json["host_port"] as? Int)
            let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1)))
            let there = try? await client.execute(.get, .tcp(host: "127.0.0.2", port: port), "/health")
            #expect(there?.status == .ok, "the gateway answers on 127.0.0.2")
            let loopback = try? await client.execute(.get, .tcp(host: "127.0.0.1", port: port), "/health")
            #expect(loopback == nil, "and not on 127.0.0.1")
            await client.shutdown()
            // The health checker reaches it where it is published: its probe succeeds, it is never restarted.
            var entry: [String: Any] = [:]
            let probed = try await waitUntil(.seconds(10), every: .milliseconds(200)) {
                entry =
                    await live.call(.get, "/api/monitoring/health").array.first {
                        $0["tenant_id"] as? String == "published"
                    } ?? [:]
                return (entry["health"] as? [String: Any])?["healthy"] as? Bool == true
            }
            #expect(probed, "a successful probe: \(entry)")
            try await Task.sleep(for: .seconds(3))
            #expect(await live.call(.get, "/api/tenants/published/status").json["status"] as? String == "running")
            let metrics = await live.call(.get, "/metrics").text
            #expect(!metrics.contains("zcplatform_health_restarts_total{"), "never restarted")
            // The usage collector scraped its /metrics there: it keeps the counters it read.
            let node = live.api.platform.configuration.cluster.nodeID
            let scraped = try await waitUntil(.seconds(10), every: .milliseconds(200)) {
                try await live.api.platform.store.read { try await $0.usageCounters(nodeID: node) }
                    .contains { $0.tenantID.rawValue == "published" }
            }
            #expect(scraped, "usage scraped from 127.0.0.2")
        }
    }

    func waitHealthy(_ live: LivePlatform, _ port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while await live.agentHealth(port: port) != 200, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await live.agentHealth(port: port) == 200)
    }
}
