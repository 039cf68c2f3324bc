import Foundation
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// Rollouts on a real dockerd with three images `.ci/` builds from the simulator's: the current one, a
/// good next one (`ZCSIM_VERSION=next` in its environment) and one whose agent exits at start
/// (`ZCSIM_MODE=crash`).
@Suite(
    "Agent rollouts (Docker runtime)", .serialized,
    .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerRolloutTests {
    @Test(
        "images pinned by digest; a missing image fails untouched; the crashing one halts at its canary, which runs its old image with its data; the next one reaches every tenant"
    )
    func rollouts() async throws {
        var environment = try DockerLifecycleTests.environment()
        environment["ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS"] = "15"
        environment["ZCPLATFORM_ALERTS_EVALUATION_SECONDS"] = "1"
        let live = try await LivePlatform.start(environment)
        try await live.scoped {
            let flow = try await RolloutFlow.prepare(
                live, good: DockerTestEngine.nextAgentImage, crashing: DockerTestEngine.crashingAgentImage,
                missing: "zcagent-sim:missing-\(UUID().uuidString.prefix(6).lowercased())", prefix: "dro")
            // Pinned at deploy: a local image by its id, which the container was made from.
            for id in flow.tenants {
                let image = try #require(await flow.image(of: id))
                #expect(image.hasPrefix("\(DockerTestEngine.agentImage)@sha256:"), "\(id): \(image)")
                let container = try await DockerLifecycleTests.inspect("zeroclaw-tenant-\(id)").fields
                #expect(container["Image"] == .string(String(image.split(separator: "@")[1])), "\(id)")
            }
            try await flow.refusesBadInput()
            try await flow.missingImageTouchesNothing()
            try await flow.crashingImageHaltsAtCanary()
            try await flow.goodImageReachesAll()
            // Every agent runs the next image: its environment says so.
            for id in flow.tenants {
                let container = try await DockerLifecycleTests.inspect("zeroclaw-tenant-\(id)").fields
                guard case .object(let config)? = container["Config"], case .array(let variables)? = config["Env"]
                else {
                    Issue.record("no Config.Env for \(id)")
                    continue
                }
                #expect(variables.contains(.string("ZCSIM_VERSION=next")), "\(id): \(variables)")
            }
        }
    }
}
