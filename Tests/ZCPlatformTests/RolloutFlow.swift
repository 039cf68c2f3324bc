import Foundation
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// The rollout checks both runtimes run against one platform: three deployed tenants, each with a marker
/// in its data directory, and rollouts to a crashing image, to a missing one and to a good one.
struct RolloutFlow {
    let live: LivePlatform
    /// The images as each runtime names them.
    let good: String
    let crashing: String
    let missing: String
    let tenants: [String]

    /// Creates and deploys the tenants, and writes each one's marker.
    static func prepare(
        _ live: LivePlatform, good: String, crashing: String, missing: String, prefix: String
    )
        async throws -> RolloutFlow
    {
        let tenants = (1...3).map { "\(prefix)\($0)-\(UUID().uuidString.prefix(4).lowercased())" }
        for id in tenants {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"\#(id)"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/\(id)/deploy").status == 202)
        }
        for id in tenants {
            try await live.waitFor(id, "running", timeout: .seconds(60))
            try Data("marker of \(id)\n".utf8).write(to: URL(fileURLWithPath: live.marker(of: id)))
        }
        return RolloutFlow(live: live, good: good, crashing: crashing, missing: missing, tenants: tenants)
    }

    func image(of id: String) async -> String? {
        await live.call(.get, "/api/tenants/\(id)").json["image"] as? String
    }

    func images() async -> [String: String] {
        var images: [String: String] = [:]
        for id in tenants { images[id] = await image(of: id) }
        return images
    }

    /// Starts a rollout; its id.
    func start(_ body: String) async throws -> String {
        let started = await live.call(.post, "/api/rollouts", json: body)
        #expect(started.status == 202, "\(started.text)")
        return try #require(started.json["id"] as? String, "\(started.text)")
    }

    /// Polls the rollout until it is in one of `states`; its last answer.
    @discardableResult
    func waitFor(_ id: String, _ states: Set<String>, timeout: Duration = .seconds(120)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = await live.call(.get, "/api/rollouts/\(id)").json
            if let state = last["state"] as? String, states.contains(state) { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("rollout \(id) did not reach \(states.sorted()): \(last)")
        return last
    }

    static func rows(_ rollout: [String: Any]) -> [String: [String: Any]] {
        var rows: [String: [String: Any]] = [:]
        for row in rollout["tenants"] as? [[String: Any]] ?? [] {
            if let id = row["id"] as? String { rows[id] = row }
        }
        return rows
    }

    /// Every tenant runs, answers `/health`, and still has its marker.
    func expectRunningWithData() async throws {
        for id in tenants {
            let status = try await live.waitFor(id, "running", timeout: .seconds(60))
            if let port = status["port"] as? Int {
                #expect(await live.agentHealth(port: port) == 200, "tenant \(id)")
            }
            let marker = try? String(contentsOfFile: live.marker(of: id), encoding: .utf8)
            #expect(marker == "marker of \(id)\n", "tenant \(id) lost its data")
        }
    }

    func auditActions() async -> [String] {
        let page = try? await live.api.store.read { try await $0.auditEvents(AuditQuery(limit: 1000)) }
        return page?.events.map(\.action) ?? []
    }

    /// Bad requests are refused naming the field; nothing is recorded.
    func refusesBadInput() async throws {
        let bad: [(String, String)] = [
            (#"{"image":"\#(good)","canary":-1}"#, "canary"),
            (#"{"image":"\#(good)","batch_size":0}"#, "batch_size"),
            (#"{"image":"\#(good)","batch_size":"150%"}"#, "batch_size"),
            (#"{"image":"\#(good)","health_seconds":-5}"#, "health_seconds"),
            (#"{"image":"\#(good)","max_failures":0}"#, "max_failures"),
            (#"{"image":"\#(good)","tenants":["nobody-here"]}"#, "tenants"),
            (#"{"image":"\#(good)","tenants":[]}"#, "tenants"),
            (#"{"image":"\#(good)","tenants":null}"#, "tenants"),
            (#"{"image":"\#(good)","batch_size":"0%"}"#, "batch_size"),
            (#"{"image":""}"#, "image"),
            (#"{"canary":1}"#, "image"),
            (#"{"image":"\#(good)","colour":"blue"}"#, "colour"),
        ]
        for (body, field) in bad {
            let answer = await live.call(.post, "/api/rollouts", json: body)
            #expect(answer.status == 422, "\(body): \(answer.status) \(answer.text)")
            #expect(answer.text.contains(field), "\(body): \(answer.text)")
        }
        #expect(await live.call(.post, "/api/rollouts", json: "{not json").status == 400)
        // A pinned tenant named is refused; a whole-fleet rollout passes it by.
        let pinned = tenants[2]
        let pin = await live.call(.patch, "/api/tenants/\(pinned)", json: #"{"image_pinned":true}"#)
        #expect(pin.status == 200, "\(pin.text)")
        #expect(pin.json["image_pinned"] as? Bool == true)
        let named = await live.call(.post, "/api/rollouts", json: #"{"image":"\#(good)","tenants":["\#(pinned)"]}"#)
        #expect(named.status == 422 && named.text.contains("tenants") && named.text.contains("pinned"), "\(named.text)")
        #expect(await live.call(.patch, "/api/tenants/\(pinned)", json: #"{"image_pinned":false}"#).status == 200)
        #expect(await live.call(.patch, "/api/tenants/\(pinned)", json: #"{"image_pinned":"yes"}"#).status == 422)
        #expect(await live.call(.get, "/api/rollouts/ro-000000000000").status == 404)
        #expect(await live.call(.get, "/api/rollouts/../etc").status == 404)
        #expect((await live.call(.get, "/api/rollouts").json["rollouts"] as? [Any])?.isEmpty == true)
    }

    /// A missing image fails the rollout with its cause before any tenant is touched.
    func missingImageTouchesNothing() async throws {
        let before = await images()
        let id = try await start(#"{"image":"\#(missing)","canary":1,"batch_size":1,"health_seconds":1}"#)
        let rollout = try await waitFor(id, ["failed"])
        #expect((rollout["reason"] as? String)?.contains("cannot use") == true, "\(rollout)")
        #expect(Self.rows(rollout).values.allSatisfy { $0["state"] as? String == "pending" }, "\(rollout)")
        #expect(await images() == before)
        try await expectRunningWithData()
    }

    /// A crashing image halts at its canary, which runs its old image again with its data; nothing else
    /// is touched.
    func crashingImageHaltsAtCanary() async throws {
        let before = await images()
        let id = try await start(#"{"image":"\#(crashing)","canary":1,"batch_size":1,"health_seconds":2}"#)
        let rollout = try await waitFor(id, ["rolled_back", "completed", "failed"])
        #expect(rollout["state"] as? String == "rolled_back", "\(rollout)")
        let rows = Self.rows(rollout)
        let canary = tenants[0]
        #expect(rows[canary]?["state"] as? String == "failed", "\(rollout)")
        #expect((rows[canary]?["error"] as? String)?.isEmpty == false, "\(rollout)")
        #expect(rows[canary]?["from"] as? String == before[canary], "\(rollout)")
        for id in tenants.dropFirst() { #expect(rows[id]?["state"] as? String == "pending", "\(rollout)") }
        #expect((rollout["reason"] as? String)?.contains("max_failures") == true, "\(rollout)")
        #expect(await images() == before)
        try await expectRunningWithData()
        let actions = await auditActions()
        for action in ["rollout.started", "rollout.tenant_failed", "rollout.tenant_rolled_back", "rollout.halted"] {
            #expect(actions.contains(action), "\(action) not audited: \(actions.prefix(20))")
        }
        // RolloutHalted fires once from the leader's alert evaluation, and resolves when a rollout follows.
        #expect(
            try await waitUntil(.seconds(10)) {
                live.api.notifier.all.contains { $0.kind == .alertFiring && $0.labels["alertname"] == "RolloutHalted" }
            },
            "\(live.api.notifier.all.map(\.title)) \(live.logs.renderedLines().filter { $0.contains("alert") || $0.contains("leader") }.suffix(10))"
        )
        let alerts = await live.call(.get, "/api/monitoring/alerts").text
        #expect(alerts.contains("RolloutHalted"), "\(alerts)")
    }

    /// An image whose agents answer `/health` but whose errors rise fast fails its canary on the error
    /// signal, and goes back.
    func erroringImageFailsOnErrors(_ erroring: String) async throws {
        let before = await images()
        let id = try await start(#"{"image":"\#(erroring)","canary":1,"health_seconds":3}"#)
        let rollout = try await waitFor(id, ["rolled_back", "completed", "failed"])
        #expect(rollout["state"] as? String == "rolled_back", "\(rollout)")
        let canary = Self.rows(rollout)[tenants[0]]
        #expect((canary?["error"] as? String)?.contains("zeroclaw_errors_total") == true, "\(rollout)")
        #expect(await images() == before)
        try await expectRunningWithData()
    }

    /// The good image reaches every tenant, with its data; new tenants get it as the release.
    func goodImageReachesAll() async throws {
        let before = await images()
        let id = try await start(#"{"image":"\#(good)","canary":1,"batch_size":"50%","health_seconds":1}"#)
        let rollout = try await waitFor(id, ["completed", "rolled_back", "failed"])
        #expect(rollout["state"] as? String == "completed", "\(rollout)")
        #expect(rollout["done"] as? Int == tenants.count && rollout["total"] as? Int == tenants.count, "\(rollout)")
        let after = await images()
        for id in tenants {
            #expect(Self.rows(rollout)[id]?["state"] as? String == "healthy", "\(rollout)")
            #expect(Self.rows(rollout)[id]?["from"] as? String == before[id])
            #expect(after[id] != before[id] && after[id]?.contains("@sha256:") == true, "\(id): \(after[id] ?? "nil")")
        }
        #expect(Set(after.values).count == 1)
        try await expectRunningWithData()
        #expect(await auditActions().contains("rollout.completed"))
        #expect(
            try await waitUntil(.seconds(10)) {
                live.api.notifier.all.contains {
                    $0.kind == .alertResolved && $0.labels["alertname"] == "RolloutHalted"
                }
            }, "RolloutHalted resolves once a newer rollout starts")
        // The release: a new tenant is created with it.
        let created = await live.call(.post, "/api/tenants", json: #"{"id":"after-\#(id.suffix(6))","name":"After"}"#)
        #expect(created.json["image"] as? String == good, "\(created.text)")
        let listed = await live.call(.get, "/api/rollouts").json["rollouts"] as? [[String: Any]] ?? []
        #expect(listed.first?["id"] as? String == id && listed.first?["tenants"] == nil, "\(listed)")
        let metrics = await live.call(.get, "/metrics").text
        #expect(metrics.contains(#"zcplatform_rollout_tenants{state="healthy"} 3"#), "\(metrics.prefix(200))")
    }
}
