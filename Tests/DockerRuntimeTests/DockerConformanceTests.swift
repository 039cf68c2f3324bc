import DockerRuntime
import Foundation
import RuntimeConformance
import Synchronization
import TestSupport
import Testing
import ZCCore

/// The runtime conformance cases on a real Docker engine with the simulator's image.
@Suite(
    "Runtime conformance: Docker", .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerConformanceTests {
    static let factory: RuntimeFactory = {
        let runtime = try DockerRuntime(
            options: DockerRuntimeOptions(socketPath: try DockerTestEngine.requireSocket(), network: .host),
            logger: .disabled)
        let directory = try TemporaryDirectory("zc-docker-conformance")
        chmod(directory.path, 0o755)
        let made = Mutex<[String]>([])
        return RuntimeUnderTest(
            runtime: runtime,
            makeSpec: { labels in
                let name = "zeroclaw-tenant-conformance-\(UUID().uuidString.prefix(8).lowercased())"
                let uid = Int.random(in: 200_000...265_535)
                let data = directory.file(name)
                try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
                chown(data, uid_t(uid), gid_t(uid))
                chmod(data, 0o700)
                made.withLock { $0.append(name) }
                return ContainerSpec(
                    name: name, image: DockerTestEngine.agentImage, entrypoint: [], command: [],
                    environment: ["ZEROCLAW_observability__backend": "prometheus"],
                    labels: labels.merging(["zcplatform.test": "runtime-conformance"]) { $1 }, uid: uid,
                    dataDirectory: data, hostPort: FreePort.next(), containerPort: 42617, memoryBytes: 64 << 20,
                    cpuLimit: 0.5, pidsLimit: 64)
            },
            dispose: {
                for name in made.withLock({ $0 }) { try? await runtime.remove(ContainerID(name), force: true) }
                await runtime.shutdown()
                directory.remove()
            }, image: DockerTestEngine.agentImage,
            missingImage: "zcagent-sim:never-built-\(UUID().uuidString.prefix(6).lowercased())")
    }

    @Test(arguments: RuntimeConformance.cases)
    func conformance(_ behaviour: RuntimeConformanceCase) async throws {
        try await behaviour.run(Self.factory)
    }
}
