import Foundation
import TestSupport
import Testing
import ZCCore
import ZCCrypto

@testable import ZCPlatform

/// Exec is recorded before it runs and completed after: a store that refuses the first record refuses
/// the exec (the command never runs), and one that refuses the completion fails the request.
@Suite("Exec audited before it runs", .serialized)
struct ExecAuditTests {
    /// The standard drivers, each store behind one whose writes fail on cue.
    static func registry(_ faults: StoreFaults) -> PluginRegistry {
        var registry = PluginRegistry.standard
        let standard = PluginRegistry.standard
        for driver in ["sqlite", "postgres"] {
            registry.registerStore(driver) { configuration, logger in
                FaultInjectingStore(try await standard.openStore(configuration, logger: logger), faults: faults)
            }
        }
        return registry
    }

    enum Kind: String, CaseIterable, Sendable {
        case sqlite, postgres
    }

    /// The variables that put a platform on `kind` (PostgreSQL in a schema of its own, dropped by
    /// `cleanup`); nil when PostgreSQL is not there to test on.
    static func store(_ kind: Kind) throws -> (environment: [String: String], cleanup: @Sendable () -> Void)? {
        switch kind {
        case .sqlite: return ([:], {})
        case .postgres:
            guard PostgresTestDatabase.shouldRun else {
                print("on PostgreSQL: \(PostgresTestDatabase.skipMessage)")
                return nil
            }
            let (schema, url) = try PostgresTestDatabase.makeSchema()
            return (
                ["ZCPLATFORM_STORE_DRIVER": "postgres", "ZCPLATFORM_STORE_URL": url],
                { PostgresTestDatabase.dropSchema(schema) }
            )
        }
    }

    static let quiet = [
        "ZCPLATFORM_COLLECTORS_RESOURCE_ENABLED": "false", "ZCPLATFORM_COLLECTORS_USAGE_ENABLED": "false",
        "ZCPLATFORM_COLLECTORS_HEALTH_ENABLED": "false", "ZCPLATFORM_ALERTS_ENABLED": "false",
        "ZCPLATFORM_CLUSTER_HEARTBEAT_SECONDS": "3600", "ZCPLATFORM_RUNTIME_PROCESS_EXEC": "true",
        "ZCPLATFORM_CLUSTER_LEADER_RENEW_SECONDS": "3600", "ZCPLATFORM_CLUSTER_LEADER_LEASE_SECONDS": "7200",
    ]

    @Test(
        "start recorded first, completion after; a refused start record means the command never runs",
        arguments: Kind.allCases)
    func recordedBeforeAndAfter(_ kind: Kind) async throws {
        guard let (environment, cleanup) = try Self.store(kind) else { return }
        defer { cleanup() }
        let faults = StoreFaults()
        let live = try await LivePlatform.start(
            Self.quiet.merging(environment) { $1 }, registry: Self.registry(faults))
        try await live.scoped {
            let made = await live.call(.post, "/api/tenants", json: #"{"id":"exe","name":"E"}"#)
            #expect(made.status == 201, "\(made.text)")
            #expect(await live.call(.post, "/api/tenants/exe/deploy").status == 202)
            try await live.waitFor("exe", "running")
            let marker = live.api.directory.file("ran-\(UUID().uuidString.prefix(6))")

            faults.inject(failing: 1)
            let refused = await live.call(
                .post, "/api/tenants/exe/exec", json: #"{"argv":["/usr/bin/touch","\#(marker)"]}"#)
            #expect(refused.status == 503, "\(refused.text)")
            #expect(faults.failed == 1)
            #expect(!FileManager.default.fileExists(atPath: marker), "the command did not run")
            #expect(!(await live.auditActions("exe")).contains("tenant.exec"))

            let ran = await live.call(
                .post, "/api/tenants/exe/exec", json: #"{"argv":["/usr/bin/touch","\#(marker)"]}"#)
            #expect(ran.status == 200, "\(ran.text)")
            #expect(FileManager.default.fileExists(atPath: marker))
            let events = await live.auditEvents("exe")
            let start = try #require(events.first { $0["action"] as? String == "tenant.exec" })
            let end = try #require(events.first { $0["action"] as? String == "tenant.exec_completed" })
            let startDetail = start["detail"] as? [String: Any] ?? [:]
            #expect(startDetail["program"] as? String == "/usr/bin/touch")
            #expect(startDetail["arguments"] as? Int == 1)
            #expect(
                startDetail["argv_sha256"] as? String
                    == SHA256Digest.hash(Array("/usr/bin/touch\0\(marker)\0".utf8)).hexString)
            #expect(!"\(events)".contains(marker), "the arguments are kept only as a digest")
            let endDetail = end["detail"] as? [String: Any] ?? [:]
            #expect(endDetail["started"] as? Int == start["id"] as? Int)
            #expect(endDetail["exit_code"] as? Int == 0)
            #expect(endDetail["duration_ms"] as? Int != nil)
            #expect((start["id"] as? Int ?? 0) < (end["id"] as? Int ?? 0), "the start is recorded first")
        }
    }

    @Test("a completion that cannot be recorded fails the request; the start stays recorded")
    func completionUnrecorded() async throws {
        let faults = StoreFaults()
        let live = try await LivePlatform.start(Self.quiet, registry: Self.registry(faults))
        try await live.scoped {
            #expect(await live.call(.post, "/api/tenants", json: #"{"id":"exe2","name":"E"}"#).status == 201)
            #expect(await live.call(.post, "/api/tenants/exe2/deploy").status == 202)
            try await live.waitFor("exe2", "running")
            let marker = live.api.directory.file("ran-\(UUID().uuidString.prefix(6))")
            faults.inject(skipping: 1, failing: 3)
            let answer = await live.call(
                .post, "/api/tenants/exe2/exec", json: #"{"argv":["/usr/bin/touch","\#(marker)"]}"#)
            #expect(answer.status == 503)
            #expect(answer.error?.contains("its completion could not be recorded") == true, "\(answer.text)")
            #expect(FileManager.default.fileExists(atPath: marker), "it ran")
            let actions = await live.auditActions("exe2")
            #expect(actions.contains("tenant.exec") && !actions.contains("tenant.exec_completed"))
        }
    }
}
