import Foundation
import ProcessRuntime
import RuntimeConformance
import TestSupport
import Testing
import ZCCore

/// The runtime conformance cases on supervised local processes of the agent simulator.
@Suite("Runtime conformance: process")
struct ProcessConformanceTests {
    static let factory: RuntimeFactory = {
        let directory = try TemporaryDirectory("zc-process-conformance")
        let runtime = try ProcessRuntime(
            options: ProcessRuntimeOptions(
                agentCommand: [AgentSimulator.executable], runDirectory: directory.file("run"),
                shutdownTimeout: .seconds(5)),
            logger: .disabled)
        return RuntimeUnderTest(
            runtime: runtime,
            makeSpec: { labels in
                let name = "zeroclaw-tenant-conformance-\(UUID().uuidString.prefix(8).lowercased())"
                let data = directory.file(name)
                try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
                return ContainerSpec(
                    name: name, image: "unused", entrypoint: [], command: [],
                    environment: ["ZEROCLAW_observability__backend": "prometheus"], labels: labels, uid: 1000,
                    dataDirectory: data, hostPort: FreePort.next(), containerPort: 42617, memoryBytes: 64 << 20,
                    cpuLimit: 1, pidsLimit: 64)
            },
            dispose: {
                await runtime.shutdown()
                directory.remove()
            }, image: AgentSimulator.executable, missingImage: "/nonexistent/zeroclaw daemon")
    }

    @Test(arguments: RuntimeConformance.cases)
    func conformance(_ behaviour: RuntimeConformanceCase) async throws {
        try await behaviour.run(Self.factory)
    }
}
