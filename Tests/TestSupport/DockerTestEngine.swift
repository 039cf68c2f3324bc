import Foundation
import Testing

/// The test Docker engine named by `ZC_TEST_DOCKER_SOCKET` (`.ci/run` starts one with `.ci/docker start`)
/// and the agent simulator's image in it, `ZC_TEST_AGENT_IMAGE` (built by `.ci/agent-image`).
public enum DockerTestEngine {
    public static let variable = "ZC_TEST_DOCKER_SOCKET"

    public static var socket: String? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return nil }
        return path
    }

    /// Run the suites when an engine is configured, and always in CI, where a missing one fails them.
    public static var shouldRun: Bool {
        socket != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    public static let skipMessage: Comment = """
        skipping Docker tests: set ZC_TEST_DOCKER_SOCKET and ZC_TEST_AGENT_IMAGE \
        (export ZC_TEST_DOCKER_SOCKET=$(.ci/docker start /tmp/zcdocker); \
        export ZC_TEST_AGENT_IMAGE=$(.ci/agent-image $ZC_TEST_DOCKER_SOCKET)), \
        and for the Docker cluster test a second engine, ZC_TEST_DOCKER_SOCKET_2 \
        (export ZC_TEST_DOCKER_SOCKET_2=$(.ci/docker start /tmp/zcdocker2); .ci/agent-image $ZC_TEST_DOCKER_SOCKET_2)
        """

    public struct NotConfigured: Error, CustomStringConvertible {
        public let description: String
    }

    public static func requireSocket() throws -> String {
        guard let socket else {
            throw NotConfigured(description: "ZC_TEST_DOCKER_SOCKET is not set; in CI .ci/run must start dockerd")
        }
        return socket
    }

    /// A second engine (`ZC_TEST_DOCKER_SOCKET_2`), holding the same image: a cluster's second node runs its
    /// agents there, as a separate host would.
    public static var secondSocket: String? {
        guard let path = ProcessInfo.processInfo.environment["ZC_TEST_DOCKER_SOCKET_2"], !path.isEmpty else {
            return nil
        }
        return path
    }

    public static func requireSecondSocket() throws -> String {
        guard let secondSocket else {
            throw NotConfigured(
                description: """
                    ZC_TEST_DOCKER_SOCKET_2 is not set: the Docker cluster test needs a second engine \
                    (export ZC_TEST_DOCKER_SOCKET_2=$(.ci/docker start /tmp/zcdocker2); .ci/agent-image $ZC_TEST_DOCKER_SOCKET_2)
                    """)
        }
        return secondSocket
    }

    /// The simulator's image; `zcagent-sim:test` when not named.
    public static var agentImage: String {
        ProcessInfo.processInfo.environment["ZC_TEST_AGENT_IMAGE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "zcagent-sim:test"
    }

    /// The rollout tests' good next release (`.ci/agent-image … zcagent-sim:next ZCSIM_VERSION=next`).
    public static var nextAgentImage: String {
        ProcessInfo.processInfo.environment["ZC_TEST_AGENT_IMAGE_NEXT"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "zcagent-sim:next"
    }

    /// The rollout tests' release whose agent exits at start (`ZCSIM_MODE=crash`).
    public static var crashingAgentImage: String {
        ProcessInfo.processInfo.environment["ZC_TEST_AGENT_IMAGE_CRASH"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "zcagent-sim:crash"
    }
}
