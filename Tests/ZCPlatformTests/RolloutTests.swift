import Foundation
import TestSupport
import Testing
import ZCCore

@testable import ZCPlatform

/// Rollouts on the process runtime, where an "image" is the agent command: the simulator as it runs now,
/// the simulator as `daemon` (a new release), and `exit 3` (an agent that crashes at start).
@Suite("Agent rollouts (process runtime)", .serialized)
struct RolloutTests {
    @Test(
        "bad input is a 422 naming the field; a missing image fails with nothing touched; a crashing one halts at its canary and goes back, so does one whose errors rise; a good one reaches every tenant"
    )
    func rollouts() async throws {
        let live = try await LivePlatform.start([
            "ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS": "10", "ZCPLATFORM_ALERTS_EVALUATION_SECONDS": "1",
        ])
        try await live.scoped {
            let simulator = AgentSimulator.executable
            let flow = try await RolloutFlow.prepare(
                live, good: "\(simulator) daemon", crashing: "\(simulator) exit 3",
                missing: "/nonexistent/zeroclaw daemon", prefix: "ro")
            for id in flow.tenants {
                let image = await flow.image(of: id)
                #expect(image?.hasPrefix("\(simulator)@sha256:") == true, "\(id): \(image ?? "nil")")
            }
            try await flow.refusesBadInput()
            try await flow.missingImageTouchesNothing()
            try await flow.crashingImageHaltsAtCanary()
            try await flow.erroringImageFailsOnErrors("\(simulator) daemon --mode erroring")
            try await flow.goodImageReachesAll()
        }
    }
}
