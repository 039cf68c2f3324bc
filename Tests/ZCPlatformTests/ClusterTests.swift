import Foundation
import TestSupport
import Testing
import ZCHTTP

/// Clusters of `zcplatform serve` processes on 127.0.0.11, .12, … sharing one PostgreSQL (one at a time:
/// their agents share this host's port ranges): tenants are placed across the nodes, every node answers
/// for every tenant, and a node cut off from the cluster fences itself.
@Suite(
    "Cluster of nodes", .serialized, .enabled(if: PostgresTestDatabase.shouldRun, PostgresTestDatabase.skipMessage))
struct ClusterTests {
    @Test(
        "deploys spread over the nodes and start through the store's signal; every tenant's status, exec and followed log through every node; a failed backup alerts once; a dead owner is a 503 naming it"
    )
    func spreadAndForward() async throws {
        let cluster = try await TestCluster.start(3, environment: ["ZCPLATFORM_CLUSTER_INGRESS_DOMAIN": "agents.test"])
        try await cluster.scoped {
            let all = ["n1", "n2", "n3"]
            let joined = try await waitUntil(.seconds(20)) {
                let nodes = try await cluster.json("n1", .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
                return nodes.filter { $0["state"] as? String == "active" }.count == 3
            }
            #expect(joined, "three active nodes")

            // Six tenants, each deployed through another node: spread puts two on each (1 GiB, 256 MiB plans).
            var owners: [String: String] = [:]
            for index in 0..<6 {
                let id = "tenant-\(index)"
                let created = try await cluster.call(
                    "n1", .post, "/api/tenants", json: #"{"id":"\#(id)","name":"Tenant \#(index)"}"#)
                #expect(created.status.code == 201)
                let through = all[index % 3]
                let deployed = try await cluster.call(through, .post, "/api/tenants/\(id)/deploy")
                #expect(deployed.status.code == 202, "\(String(decoding: deployed.body, as: UTF8.self))")
                let body = try JSONSerialization.jsonObject(with: Data(deployed.body)) as? [String: Any]
                owners[id] = body?["node_id"] as? String
            }
            let counts = Dictionary(grouping: owners.values, by: { $0 }).mapValues(\.count)
            #expect(counts == ["n1": 2, "n2": 2, "n3": 2], "spread: \(owners)")
            // Each node's heartbeat reports what its two tenants' plans reserve (256 MiB each).
            let reserved = try await waitUntil(.seconds(10), every: .milliseconds(200)) {
                let nodes = try await cluster.json("n1", .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
                return nodes.count == 3 && nodes.allSatisfy { $0["memory_reserved"] as? Int == 512 << 20 }
            }
            #expect(reserved, "every node reserves 512 MiB")

            // The reconcile interval is 300 s: agents that start within seconds were started by the signal.
            for id in owners.keys.sorted() {
                let running = try await waitUntil(.seconds(45), every: .milliseconds(200)) {
                    try await cluster.json("n1", .get, "/api/tenants/\(id)/status")["status"] as? String == "running"
                }
                #expect(running, "\(id) on \(owners[id] ?? "-") runs")
            }
            for id in owners.keys.sorted() {
                for node in all {
                    let status = try await cluster.call(node, .get, "/api/tenants/\(id)/status")
                    #expect(status.status.code == 200, "\(id) through \(node)")
                    #expect(String(decoding: status.body, as: UTF8.self).contains("\"running\""))
                }
            }

            // The console on any node: its cookie session works for tenants on other nodes (forwarded as
            // the bearer token it holds), writes with the CSRF token; the fleet table lists every tenant.
            let signIn = try await cluster.client.execute(
                .post, cluster.member("n2").base, "/api/auth/session", headers: ["Content-Type": "application/json"],
                body: Array(#"{"token":"\#(cluster.token)"}"#.utf8))
            let cookie = try #require(signIn.headers["Set-Cookie"]?.split(separator: ";").first.map(String.init))
            let csrf = try #require(
                (try JSONSerialization.jsonObject(with: Data(signIn.body)) as? [String: Any])?["csrf_token"] as? String)
            let remote = try #require(owners.first { $0.value == "n1" }?.key)
            let viaCookie = try await cluster.client.execute(
                .get, cluster.member("n3").base, "/api/tenants/\(remote)/status", headers: ["Cookie": cookie])
            #expect(viaCookie.status.code == 200, "\(String(decoding: viaCookie.body, as: UTF8.self))")
            let restarted = try await cluster.client.execute(
                .post, cluster.member("n3").base, "/api/tenants/\(remote)/restart",
                headers: ["Cookie": cookie, "X-CSRF-Token": csrf])
            #expect(restarted.status.code == 200, "\(String(decoding: restarted.body, as: UTF8.self))")
            let unsigned = try await cluster.client.execute(
                .post, cluster.member("n3").base, "/api/tenants/\(remote)/restart", headers: ["Cookie": cookie])
            #expect(unsigned.status.code == 403, "no CSRF token, no write, whichever node")
            let fleet = try await cluster.client.execute(
                .get, cluster.member("n3").base, "/api/fleet", headers: ["Cookie": cookie])
            let rows = (try JSONSerialization.jsonObject(with: Data(fleet.body)) as? [String: Any])?["tenants"]
            #expect((rows as? [[String: Any]])?.map { $0["node"] as? String }.count == 6)
            let settled = try await waitUntil(.seconds(45), every: .milliseconds(200)) {
                try await cluster.json("n1", .get, "/api/tenants/\(remote)/status")["status"] as? String == "running"
            }
            #expect(settled, "\(remote) runs again after the restart")

            // Routes for a load balancer, from any node: each tenant's API to its node, its host to its gateway.
            let routes = try await cluster.json("n2", .get, "/api/cluster/routes")["routes"] as? [[String: Any]] ?? []
            #expect(routes.count == 6)
            for route in routes {
                let tenant = route["tenant"] as? String ?? "-"
                let owner = cluster.member(owners[tenant] ?? "-")
                #expect(route["node"] as? String == owner.id)
                #expect(route["api"] as? String == "\(owner.host):\(owner.port)")
                #expect((route["gateway"] as? String)?.hasPrefix("\(owner.host):") == true)
                #expect(route["host"] as? String == "\(tenant).agents.test")
            }
            let traefik = try await cluster.json("n3", .get, "/api/cluster/routes?format=traefik")
            let http = traefik["http"] as? [String: Any]
            let routers = http?["routers"] as? [String: [String: Any]] ?? [:]
            let services = http?["services"] as? [String: Any] ?? [:]
            #expect(routers.count == 12, "an API and an agent router per tenant")
            #expect(routers["zcplatform-agent-tenant-0"]?["rule"] as? String == "Host(`tenant-0.agents.test`)")
            #expect(services.count == 9, "three node APIs, six agents")
            let nodeAPI = (services["zcplatform-api-n1"] as? [String: Any])?["loadBalancer"] as? [String: Any]
            #expect(
                (nodeAPI?["healthCheck"] as? [String: Any])?["path"] as? String == "/readyz",
                "Traefik takes a node that is not ready out: \(nodeAPI ?? [:])")
            let map = String(
                decoding: try await cluster.call("n1", .get, "/api/cluster/routes?format=haproxy").body, as: UTF8.self)
            let owner0 = cluster.member(owners["tenant-0"] ?? "-")
            #expect(map.contains("/api/tenants/tenant-0/ \(owner0.host):\(owner0.port)\n"), "\(map)")
            #expect(map.contains("tenant-0.agents.test \(owner0.host):"))

            // Every tenant's exec and followed log through every node: the owner answers them itself, the
            // others forward them (the log streamed through as the agent writes it).
            for id in owners.keys.sorted() {
                for node in all {
                    let exec = try await cluster.call(
                        node, .post, "/api/tenants/\(id)/exec", json: #"{"command":"zeroclaw status"}"#)
                    #expect(
                        exec.status.code == 200, "\(id) through \(node): \(String(decoding: exec.body, as: UTF8.self))")
                    #expect(String(decoding: exec.body, as: UTF8.self).contains("zeroclaw status: running"))
                    let stream = try await cluster.client.stream(
                        .get, cluster.member(node).base, "/api/tenants/\(id)/logs?tail=5&follow=1",
                        headers: ["Authorization": "Bearer \(cluster.token)"])
                    #expect(stream.status == .ok)
                    var received = ""
                    for try await piece in stream.body {
                        received += String(decoding: piece, as: UTF8.self)
                        if received.contains("data: ") { break }
                    }
                    #expect(received.contains("data: "), "\(id) through \(node): a log line came through: \(received)")
                }
            }
            let onN3 = try #require(owners.first { $0.value == "n3" }?.key)
            let onN1 = try #require(owners.first { $0.value == "n1" }?.key)

            // A failed backup is the cluster's: BackupFailed fires once, from the leader, and every node lists it.
            let blocked = cluster.directory.file("not-a-directory")
            try Data().write(to: URL(fileURLWithPath: blocked))
            let backup = try await cluster.cli.run(
                ["backup", "--output", "\(blocked)/backups"], environment: cluster.environment(of: cluster.member("n2"))
            )
            #expect(backup.status != 0, "the backup fails: \(backup.stderr)")
            func backupFirings() -> Int {
                all.map { node in
                    cluster.log(of: node).components(separatedBy: "\n").filter {
                        $0.contains("event=alert.firing") && $0.contains("alert=BackupFailed")
                    }.count
                }.reduce(0, +)
            }
            #expect(try await waitUntil(.seconds(15)) { backupFirings() >= 1 })
            try await Task.sleep(for: .seconds(2))
            #expect(backupFirings() == 1, "once for the cluster, not once per node")
            for node in all {
                let alerts = try await cluster.call(node, .get, "/api/monitoring/alerts")
                #expect(String(decoding: alerts.body, as: UTF8.self).contains("BackupFailed"), "listed on \(node)")
            }

            // The owner killed: its tenants answer 503 through the others, naming it, with Retry-After.
            cluster.signal("n3", SIGKILL)
            _ = await cluster.reap("n3")
            let unreachable = try await cluster.call("n1", .get, "/api/tenants/\(onN3)/status")
            #expect(unreachable.status.code == 503)
            #expect(unreachable.headers["Retry-After"] != nil)
            #expect(String(decoding: unreachable.body, as: UTF8.self).contains("n3"))
            // Tenants elsewhere are unaffected.
            #expect(try await cluster.call("n2", .get, "/api/tenants/\(onN1)/status").status.code == 200)
        }
    }

    @Test(
        "a node frozen past cluster.self_fence_seconds: down and its tenants unreachable meanwhile, NodeDown once; resumed, it stops its agents, then starts them again"
    )
    func frozenNodeFences() async throws {
        let cluster = try await TestCluster.start(2, environment: ["ZCPLATFORM_CLUSTER_SELF_FENCE_SECONDS": "4"])
        try await cluster.scoped {
            // n1 leads (it started first and beats every second); the tenant lives on n2.
            #expect(try await waitUntil(.seconds(20)) { try await cluster.leader(asking: "n2") == "n1" })
            try await cluster.deploy("frozen", on: "n2", through: "n1")
            let port = try #require(try await cluster.json("n1", .get, "/api/tenants/frozen")["host_port"] as? Int)
            func agentUptime() async -> Int? {
                guard
                    let answer = try? await cluster.client.execute(
                        .get, .tcp(host: "127.0.0.1", port: port), "/health", timeout: .seconds(2)),
                    answer.status == .ok
                else { return nil }
                let body = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any]
                return (body?["runtime"] as? [String: Any])?["uptime_seconds"] as? Int
            }
            #expect(await agentUptime() != nil, "the agent answers")

            cluster.signal("n2", SIGSTOP)
            let frozeAt = ContinuousClock.now
            // Seen from n1: n2 down, its tenant unreachable (not error), NodeDown fired once.
            #expect(
                try await waitUntil(.seconds(20), every: .milliseconds(200)) {
                    try await cluster.shownStatus(of: "frozen", asking: "n1") == "unreachable"
                }, "unreachable while its node is down")
            let dashboard = try await cluster.json("n1", .get, "/api/monitoring/dashboard")
            #expect((dashboard["tenants"] as? [String: Int])?["unreachable"] == 1, "\(dashboard)")
            #expect((dashboard["tenants"] as? [String: Int])?["running"] == 0)
            #expect(
                try await waitUntil(.seconds(10)) {
                    cluster.log(of: "n1").components(separatedBy: "\n").contains {
                        $0.contains("event=alert.firing") && $0.contains("alert=NodeDown")
                    }
                })
            // Frozen past the fence time, then resumed.
            let remaining = .seconds(6) - (ContinuousClock.now - frozeAt)
            if remaining > .zero { try await Task.sleep(for: remaining) }
            let uptimeBefore = await agentUptime()
            cluster.signal("n2", SIGCONT)
            #expect(try await waitUntil(.seconds(10)) { cluster.log(of: "n2").contains("event=node.fenced") })
            #expect(try await waitUntil(.seconds(10)) { cluster.log(of: "n2").contains("event=node.agents_fenced") })
            #expect(cluster.log(of: "n2").contains("stopped=1"), "its one agent stopped")
            #expect(try await waitUntil(.seconds(10)) { cluster.log(of: "n2").contains("event=node.unfenced") })
            // Started again by the node once it is back: a new agent, its uptime from zero.
            var uptime: Int?
            let restarted = try await waitUntil(.seconds(30), every: .milliseconds(200)) {
                uptime = await agentUptime()
                return uptime != nil && uptime! < (uptimeBefore ?? 0)
            }
            #expect(
                restarted,
                "restarted: uptime \(uptime.map(String.init) ?? "none") after \(uptimeBefore.map(String.init) ?? "none")"
            )
            #expect(
                try await waitUntil(.seconds(20), every: .milliseconds(200)) {
                    try await cluster.shownStatus(of: "frozen", asking: "n1") == "running"
                }, "running again once its node is back")
            let firings = cluster.log(of: "n1").components(separatedBy: "\n").filter {
                $0.contains("event=alert.firing") && $0.contains("alert=NodeDown")
            }
            #expect(firings.count == 1, "NodeDown fired once: \(firings)")
        }
    }

    @Test(
        "a move carries the tenant's directory (a marker file, nested files; a planted link left out) and starts it on the target; drain empties a node"
    )
    func moveAndDrain() async throws {
        let cluster = try await TestCluster.start(3)
        try await cluster.scoped {
            for (id, node) in [("mover", "n1"), ("drained-1", "n2"), ("drained-2", "n2")] {
                #expect(
                    try await cluster.call("n1", .post, "/api/tenants", json: #"{"id":"\#(id)","name":"\#(id)"}"#)
                        .status.code == 201)
                let deployed = try await cluster.call(
                    "n3", .post, "/api/tenants/\(id)/deploy", json: #"{"node":"\#(node)"}"#)
                #expect(deployed.status.code == 202, "\(String(decoding: deployed.body, as: UTF8.self))")
            }
            for id in ["mover", "drained-1", "drained-2"] {
                #expect(
                    try await waitUntil(.seconds(45), every: .milliseconds(200)) {
                        try await cluster.json("n3", .get, "/api/tenants/\(id)/status")["status"] as? String
                            == "running"
                    }, "\(id) runs")
            }
            // What the agent wrote, as the tenant's own files: a marker, a nested file, and a link it planted.
            let source = cluster.directory.file("n1/tenants/mover")
            try FileManager.default.createDirectory(
                atPath: "\(source)/notes/deep", withIntermediateDirectories: true)
            try Data("the marker\n".utf8).write(to: URL(fileURLWithPath: "\(source)/marker.txt"))
            try Data("nested".utf8).write(to: URL(fileURLWithPath: "\(source)/notes/deep/file.txt"))
            try FileManager.default.createSymbolicLink(atPath: "\(source)/escape", withDestinationPath: "/etc")

            let moving = try await cluster.call("n2", .post, "/api/tenants/mover/move", json: #"{"node":"n3"}"#)
            #expect(moving.status.code == 202, "\(String(decoding: moving.body, as: UTF8.self))")
            #expect(String(decoding: moving.body, as: UTF8.self).contains(#""moving_to":"n3""#))
            let arrived = try await waitUntil(.seconds(60), every: .milliseconds(200)) {
                let tenant = try await cluster.json("n1", .get, "/api/tenants/mover")
                return tenant["node_id"] as? String == "n3" && tenant["status"] as? String == "running"
            }
            #expect(arrived, "moved to n3 and running there: \(cluster.log(of: "n1").suffix(3000))")
            // n2 forwarded the move to n1 a moment ago and may still think n1 owns the tenant: n1 answers it
            // 421 and n2 looks again, so the caller never sees the difference.
            let afterMove = try await cluster.call("n2", .get, "/api/tenants/mover/status")
            #expect(afterMove.status.code == 200, "\(String(decoding: afterMove.body, as: UTF8.self))")
            let target = cluster.directory.file("n3/tenants/mover")
            #expect(
                (try? String(contentsOfFile: "\(target)/marker.txt", encoding: .utf8)) == "the marker\n",
                "the marker file came along")
            #expect((try? String(contentsOfFile: "\(target)/notes/deep/file.txt", encoding: .utf8)) == "nested")
            #expect(
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(target)/escape")) == nil,
                "a link is never carried")
            let kept =
                (try? FileManager.default.contentsOfDirectory(atPath: cluster.directory.file("n1/tenants/.moved")))
                ?? []
            #expect(kept.contains { $0.hasPrefix("mover.") }, "the source keeps its copy: \(kept)")
            #expect(!FileManager.default.fileExists(atPath: source), "and no longer has it in place")
            let metrics = String(
                decoding: try await cluster.client.execute(.get, cluster.member("n1").base, "/metrics").body,
                as: UTF8.self)
            #expect(metrics.contains(#"zcplatform_cluster_moves_total{outcome="succeeded"} 1"#))

            // Drain n2: both its tenants leave, one at a time, and run elsewhere.
            let drained = try await cluster.json("n3", .post, "/api/cluster/nodes/n2/drain")
            #expect(drained["state"] as? String == "draining", "\(drained)")
            let emptied = try await waitUntil(.seconds(90), every: .milliseconds(300)) {
                var placed: [String] = []
                for id in ["drained-1", "drained-2"] {
                    let tenant = try await cluster.json("n1", .get, "/api/tenants/\(id)")
                    guard tenant["status"] as? String == "running" else { return false }
                    placed.append(tenant["node_id"] as? String ?? "-")
                }
                return !placed.contains("n2")
            }
            #expect(emptied, "n2 drained: \(cluster.log(of: "n2").suffix(3000))")
            let nodes = try await cluster.json("n1", .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
            #expect(nodes.first { $0["id"] as? String == "n2" }?["tenants"] as? Int == 0)
            #expect(
                try await cluster.json("n1", .post, "/api/cluster/nodes/n2/undrain")["state"] as? String == "active")
        }
    }

    @Test("a move whose target is gone gives up: the tenant stays on its node, its agent started again")
    func moveRollsBack() async throws {
        let cluster = try await TestCluster.start(2)
        try await cluster.scoped {
            try await cluster.deploy("stayer", on: "n1", through: "n1")
            // n2 killed: its row still says active for a few seconds, so the move is accepted, then fails.
            cluster.signal("n2", SIGKILL)
            _ = await cluster.reap("n2")
            let moving = try await cluster.call("n1", .post, "/api/tenants/stayer/move", json: #"{"node":"n2"}"#)
            #expect(moving.status.code == 202, "\(String(decoding: moving.body, as: UTF8.self))")
            #expect(try await waitUntil(.seconds(20)) { cluster.log(of: "n1").contains("event=tenant.move_failed") })
            let back = try await waitUntil(.seconds(30), every: .milliseconds(200)) {
                let tenant = try await cluster.json("n1", .get, "/api/tenants/stayer")
                return tenant["node_id"] as? String == "n1" && tenant["status"] as? String == "running"
                    && tenant["moving_to"] == nil
            }
            #expect(back, "still on n1 and running")
            let port = try #require(try await cluster.json("n1", .get, "/api/tenants/stayer")["host_port"] as? Int)
            // The record changes first, then the agent starts.
            let answers = try await waitUntil(.seconds(20), every: .milliseconds(200)) {
                let health = try? await cluster.client.execute(
                    .get, .tcp(host: "127.0.0.1", port: port), "/health", timeout: .seconds(2))
                return health?.status == .ok
            }
            #expect(answers, "its agent runs again")
            #expect(FileManager.default.fileExists(atPath: cluster.directory.file("n1/tenants/stayer")))
        }
    }

    @Test(
        "kill -9 of the leader: another leads within 20 s; kill -9 of a tenant's node: down within 30 s, the tenant unreachable, NodeDown once; restarted, it runs the tenant again, one agent"
    )
    func killedNodes() async throws {
        let cluster = try await TestCluster.start(3)
        try await cluster.scoped {
            #expect(
                try await waitUntil(.seconds(20)) { try await cluster.leader(asking: "n3") == "n1" }, "n1 leads first")
            try await cluster.deploy("survivor", on: "n2", through: "n3")

            cluster.signal("n1", SIGKILL)
            _ = await cluster.reap("n1")
            let killedAt = ContinuousClock.now
            let newLeader = try await waitUntil(.seconds(20), every: .milliseconds(200)) {
                let leading = try await cluster.leader(asking: "n3")
                return leading != nil && leading != "n1"
            }
            #expect(newLeader, "a new leader within 20 s")
            #expect(ContinuousClock.now - killedAt < .seconds(20))

            cluster.signal("n2", SIGKILL)
            _ = await cluster.reap("n2")
            func state(of node: String) async throws -> String? {
                let nodes = try await cluster.json("n3", .get, "/api/cluster/nodes")["nodes"] as? [[String: Any]] ?? []
                return nodes.first { $0["id"] as? String == node }?["state"] as? String
            }
            #expect(
                try await waitUntil(.seconds(30), every: .milliseconds(200)) { try await state(of: "n2") == "down" })
            func shown() async throws -> String? { try await cluster.shownStatus(of: "survivor", asking: "n3") }
            #expect(try await shown() == "unreachable")
            func nodeDownFirings() -> Int {
                cluster.log(of: "n3").components(separatedBy: "\n").filter {
                    $0.contains("event=alert.firing") && $0.contains("alert=NodeDown") && $0.contains("node=n2")
                }.count
            }
            #expect(try await waitUntil(.seconds(10)) { nodeDownFirings() == 1 })

            // Back: the node stops what its earlier life left running and starts the tenant's agent again.
            try await cluster.startNode("n2")
            #expect(try await waitUntil(.seconds(30), every: .milliseconds(200)) { try await shown() == "running" })
            #expect(
                try await waitUntil(.seconds(30), every: .milliseconds(200)) {
                    try await cluster.json("n3", .get, "/api/tenants/survivor/status")["status"] as? String == "running"
                })
            let port = try #require(try await cluster.json("n3", .get, "/api/tenants/survivor")["host_port"] as? Int)
            #expect(
                try await waitUntil(.seconds(20), every: .milliseconds(200)) {
                    (try? await cluster.client.execute(
                        .get, .tcp(host: "127.0.0.1", port: port), "/health", timeout: .seconds(2)))?.status == .ok
                })
            // One agent in the tenant's directory: the one its earlier life left was stopped.
            let directory = cluster.directory.file("n2/tenants/survivor")
            let agents =
                (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { entry in
                    Int(entry) != nil
                        && (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd"))
                            == directory
                } ?? []
            #expect(agents.count == 1, "agents running in \(directory): \(agents)")
            #expect(nodeDownFirings() == 1, "NodeDown fired once")
        }
    }

    @Test(
        "with the Docker runtime, one engine per node: deployed through another node, exec through it, moved with its data to the other engine",
        .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
    func docker() async throws {
        let engines = ["n1": try DockerTestEngine.requireSocket(), "n2": try DockerTestEngine.requireSecondSocket()]
        let cluster = try await TestCluster.start(
            2,
            environment: [
                "ZCPLATFORM_RUNTIME_DRIVER": "docker", "ZCPLATFORM_RUNTIME_IMAGE": DockerTestEngine.agentImage,
                "ZCPLATFORM_RUNTIME_NETWORK": "host", "ZCPLATFORM_RUNTIME_STOP_TIMEOUT_SECONDS": "5",
            ],
            perNode: engines.mapValues { ["ZCPLATFORM_RUNTIME_DOCKER_SOCKET": $0] })
        let id = "docked-\(UUID().uuidString.prefix(6).lowercased())"
        let container = "zeroclaw-tenant-\(id)"
        func exists(on node: String) async -> Bool {
            let answer = try? await cluster.client.execute(
                .get, .unix(path: engines[node]!), "/containers/\(container)/json", timeout: .seconds(10))
            return answer?.status == .ok
        }
        do {
            try await cluster.scoped {
                #expect(
                    try await cluster.call("n2", .post, "/api/tenants", json: #"{"id":"\#(id)","name":"D"}"#).status
                        .code
                        == 201)
                #expect(
                    try await cluster.call("n2", .post, "/api/tenants/\(id)/deploy", json: #"{"node":"n1"}"#).status
                        .code
                        == 202)
                #expect(
                    try await waitUntil(.seconds(60), every: .milliseconds(250)) {
                        try await cluster.json("n2", .get, "/api/tenants/\(id)/status")["status"] as? String
                            == "running"
                    }, "running on n1's engine: \(cluster.log(of: "n1").suffix(2000))")
                #expect(await exists(on: "n1"))
                #expect(!(await exists(on: "n2")))
                let exec = try await cluster.call(
                    "n2", .post, "/api/tenants/\(id)/exec", json: #"{"command":"zeroclaw status"}"#)
                #expect(exec.status.code == 200, "\(String(decoding: exec.body, as: UTF8.self))")
                #expect(String(decoding: exec.body, as: UTF8.self).contains("zeroclaw status: running"))

                try Data("kept\n".utf8).write(
                    to: URL(fileURLWithPath: cluster.directory.file("n1/tenants/\(id)/marker.txt")))
                let moving = try await cluster.call("n2", .post, "/api/tenants/\(id)/move", json: #"{"node":"n2"}"#)
                #expect(moving.status.code == 202, "\(String(decoding: moving.body, as: UTF8.self))")
                let arrived = try await waitUntil(.seconds(90), every: .milliseconds(250)) {
                    let tenant = try await cluster.json("n1", .get, "/api/tenants/\(id)")
                    return tenant["node_id"] as? String == "n2" && tenant["status"] as? String == "running"
                }
                #expect(arrived, "moved to n2's engine: \(cluster.log(of: "n2").suffix(2000))")
                #expect(await exists(on: "n2"), "its container on n2's engine")
                #expect(!(await exists(on: "n1")), "and gone from n1's")
                #expect(
                    (try? String(
                        contentsOfFile: cluster.directory.file("n2/tenants/\(id)/marker.txt"), encoding: .utf8))
                        == "kept\n")
            }
        } catch {
            await Self.removeContainer(container, from: engines.values)
            throw error
        }
        await Self.removeContainer(container, from: engines.values)
    }

    /// Containers outlive the platform by design; the test removes what it made from both engines.
    static func removeContainer(_ name: String, from sockets: some Sequence<String>) async {
        guard let own = try? HTTPClient() else { return }
        for socket in sockets {
            _ = try? await own.execute(.delete, .unix(path: socket), "/containers/\(name)?force=true")
        }
        await own.shutdown()
    }
}
