import Foundation
import SQLiteStore
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// No tenant stays `deploying`: a deploy's end is recorded again while the store refuses for a
/// passing reason, and the periodic reconciliation settles what is left — finishing a deploy whose
/// agent is healthy, failing one past its timeout, with the cause in `error_message`.
@Suite("Deploys that cannot record their end", .serialized)
struct DeployRecoveryTests {
    static let quiet = [
        "ZCPLATFORM_COLLECTORS_RESOURCE_ENABLED": "false", "ZCPLATFORM_COLLECTORS_USAGE_ENABLED": "false",
        "ZCPLATFORM_COLLECTORS_HEALTH_ENABLED": "false", "ZCPLATFORM_ALERTS_ENABLED": "false",
        "ZCPLATFORM_CLUSTER_HEARTBEAT_SECONDS": "3600", "ZCPLATFORM_CLUSTER_LEADER_RENEW_SECONDS": "3600",
        "ZCPLATFORM_CLUSTER_LEADER_LEASE_SECONDS": "7200",
    ]

    /// Creates `id` with an agent that answers 503 until told otherwise, deploys it and waits until the
    /// agent runs (the deploy waiting for its health); returns the agent's port.
    static func deployUnhealthy(_ live: LivePlatform, _ id: String) async throws -> Int {
        #expect(await live.call(.post, "/api/tenants", json: #"{"id":"\#(id)","name":"R"}"#).status == 201)
        #expect(
            await live.call(
                .patch, "/api/tenants/\(id)/config", json: #"{"settings":{"simulator":{"mode":"unhealthy"}}}"#
            ).status == 200)
        #expect(await live.call(.post, "/api/tenants/\(id)/deploy").status == 202)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let status = await live.call(.get, "/api/tenants/\(id)/status").json
            if let port = status["port"] as? Int, await live.agentHealth(port: port) == 503 { return port }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DeployRecoveryTestError.agentNeverRan
    }

    enum DeployRecoveryTestError: Error {
        case agentNeverRan
    }

    @Test(
        "the store refusing the deploy's end twice: retried with backoff, the tenant runs",
        arguments: ExecAuditTests.Kind.allCases)
    func finishRetried(_ kind: ExecAuditTests.Kind) async throws {
        guard let (environment, cleanup) = try ExecAuditTests.store(kind) else { return }
        defer { cleanup() }
        let faults = StoreFaults()
        let live = try await LivePlatform.start(
            Self.quiet.merging(environment) { $1 }, registry: ExecAuditTests.registry(faults))
        try await live.scoped {
            let port = try await Self.deployUnhealthy(live, "retry")
            faults.inject(failing: 2)
            try await live.postToAgent(port: port, "/sim/mode", "healthy")
            try await live.waitFor("retry", "running")
            #expect(faults.failed == 2)
            let retries = live.logs.renderedLines().filter { $0.contains("event=tenant.deploy_finish_retry") }
            #expect(retries.count == 2, "\(retries)")
        }
    }

    @Test(
        "the store down past every attempt: the tenant stays deploying, and reconciliation finishes it",
        arguments: ExecAuditTests.Kind.allCases)
    func reconcileFinishes(_ kind: ExecAuditTests.Kind) async throws {
        guard let (environment, cleanup) = try ExecAuditTests.store(kind) else { return }
        defer { cleanup() }
        let faults = StoreFaults()
        let live = try await LivePlatform.start(
            Self.quiet.merging(environment) { $1 }.merging(
                [
                    "ZCPLATFORM_RUNTIME_DEPLOY_FINISH_ATTEMPTS": "2",
                    "ZCPLATFORM_RUNTIME_RECONCILE_INTERVAL_SECONDS": "1",
                ]
            ) { $1 }, registry: ExecAuditTests.registry(faults))
        try await live.scoped {
            let port = try await Self.deployUnhealthy(live, "stuck")
            faults.down(true)
            try await live.postToAgent(port: port, "/sim/mode", "healthy")
            let deadline = ContinuousClock.now + .seconds(20)
            while !live.logs.renderedLines().contains(where: { $0.contains("event=tenant.deploy_unrecorded") }),
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await live.api.store.tenant(TenantID(trusted: "stuck"))?.status == .deploying)
            faults.down(false)
            let status = try await live.waitFor("stuck", "running")
            #expect(status["port"] as? Int == port, "the agent that ran is the one kept")
            let events = await live.auditEvents("stuck")
            let deployed = try #require(events.first { $0["action"] as? String == "tenant.deployed" })
            #expect(deployed["actor"] as? String == "system:reconcile")
            #expect(live.logs.renderedLines().contains { $0.contains("event=tenant.deploy_settled") })
        }
    }

    @Test("a deploy a crash cut short, older than its timeout with no agent: failed, the cause in error_message")
    func staleDeployFails() async throws {
        let first = try await LivePlatform.start(Self.quiet)
        let directory = first.api.directory
        defer { directory.remove() }
        #expect(await first.call(.post, "/api/tenants", json: #"{"id":"stale","name":"S"}"#).status == 201)
        await first.stop()
        // What a crash during a deploy leaves: `deploying` since an hour ago, no agent.
        let store = try SQLiteStore(options: SQLiteOptions(path: directory.file("zcplatform.db")), logger: .disabled)
        try await store.withTransaction { transaction in
            var tenant = try #require(try await transaction.tenant(TenantID(trusted: "stale")))
            tenant.status = .deploying
            tenant.nodeID = first.environment["ZCPLATFORM_CLUSTER_NODE_ID"]
            tenant.updatedAt = Timestamp.now().adding(seconds: -3600)
            try await transaction.updateTenant(tenant)
        }
        await store.close()
        let second = try await first.restarted()
        try await second.scoped {
            let status = try await second.waitFor("stale", "error")
            let message = try #require(status["error_message"] as? String)
            #expect(message.hasPrefix("deploy: did not finish within 600 s"), "\(message)")
            #expect(message.contains("it has no container"))
            #expect(await second.auditActions("stale").contains("tenant.deploy_failed"))
        }
    }
}
