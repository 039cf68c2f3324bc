import Foundation
import Synchronization
import ZCCore
import ZCHTTP

/// A runtime to run the conformance cases on, and what only its driver knows: how to describe an agent
/// for it. Each case makes its own agents and the subject removes what is left when it is disposed.
public struct RuntimeUnderTest: Sendable {
    public let runtime: any ContainerRuntime
    /// A fresh agent of the simulator (a name, port, and data directory of its own) labeled `labels`.
    public let makeSpec: @Sendable (_ labels: [String: String]) throws -> ContainerSpec
    /// Removes everything the subject made; called once, also after a failed case.
    public let dispose: @Sendable () async -> Void
    /// The agent image as the runtime names it (an image reference, the agent command), and one it has no
    /// way to get.
    public let image: String
    public let missingImage: String

    public init(
        runtime: any ContainerRuntime,
        makeSpec: @escaping @Sendable (_ labels: [String: String]) throws -> ContainerSpec,
        dispose: @escaping @Sendable () async -> Void, image: String, missingImage: String
    ) {
        self.image = image
        self.missingImage = missingImage
        self.runtime = runtime
        self.makeSpec = makeSpec
        self.dispose = dispose
    }
}

/// Makes a fresh runtime to test.
public typealias RuntimeFactory = @Sendable () async throws -> RuntimeUnderTest

/// One behaviour every `ContainerRuntime` must have. Drivers run every case unchanged, one test each:
/// `@Test(arguments: RuntimeConformance.cases) func conformance(_ c: RuntimeConformanceCase)`.
public struct RuntimeConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    let body: @Sendable (RuntimeUnderTest) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (RuntimeUnderTest) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    /// Runs the case on a fresh runtime from `factory`, disposing of it after, also when the case throws.
    public func run(_ factory: RuntimeFactory) async throws {
        let subject = try await factory()
        do {
            try await body(subject)
        } catch {
            await subject.dispose()
            throw error
        }
        await subject.dispose()
    }
}

/// A runtime that does not behave: what it did, where.
public struct RuntimeConformanceFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String, file: String = #fileID, line: Int = #line) {
        self.description = "\(description) (\(file):\(line))"
    }
}

/// Throws a `RuntimeConformanceFailure` unless `condition` holds.
func require(
    _ condition: @autoclosure () async throws -> Bool, _ message: @autoclosure () -> String,
    file: String = #fileID, line: Int = #line
) async throws {
    guard try await condition() else { throw RuntimeConformanceFailure(message(), file: file, line: line) }
}

/// Throws unless `body` throws the `expected` runtime error (any `ContainerRuntimeError` when nil).
func requireError(
    _ expected: ContainerRuntimeError?, _ what: String, file: String = #fileID, line: Int = #line,
    _ body: () async throws -> Void
) async throws {
    do {
        try await body()
    } catch let error as ContainerRuntimeError {
        if let expected, error != expected {
            throw RuntimeConformanceFailure("\(what): threw \(error), expected \(expected)", file: file, line: line)
        }
        return
    } catch {
        throw RuntimeConformanceFailure("\(what): threw \(error), not a ContainerRuntimeError", file: file, line: line)
    }
    throw RuntimeConformanceFailure("\(what): did not throw", file: file, line: line)
}

/// Polls the agent's `/health` on its host port until it answers 200; a failure quotes its state and log.
func waitHealthy(
    _ spec: ContainerSpec, on runtime: any ContainerRuntime, timeout: Duration = .seconds(30)
) async throws {
    let deadline = ContinuousClock.now + timeout
    var last = "no probe"
    while ContinuousClock.now < deadline {
        let client = try HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(1)))
        do {
            let answer = try await client.execute(
                .get, .tcp(host: "127.0.0.1", port: spec.hostPort), "/health", timeout: .seconds(2))
            await client.shutdown()
            if answer.status == .ok { return }
            last = "status \(answer.status.code)"
        } catch {
            await client.shutdown()
            last = "\(error)"
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    let id = ContainerID(spec.name)
    let state = (try? await runtime.inspect(id)).map { "\(String(describing: $0))" } ?? "unknown"
    let lines = CollectedLines()
    try? await runtime.logs(id, options: LogOptions(tail: 20)) { lines.append($0) }
    throw RuntimeConformanceFailure(
        "\(spec.name) did not answer /health on \(spec.hostPort): \(last); state \(state); log: \(lines.texts)")
}

/// Log lines a callback collects.
final class CollectedLines: Sendable {
    private let lines = Mutex<[LogLine]>([])
    func append(_ line: LogLine) { lines.withLock { $0.append(line) } }
    var texts: [String] { lines.withLock { $0.map(\.text) } }
}

public enum RuntimeConformance {
    /// Every case, in a stable order.
    public static let cases: [RuntimeConformanceCase] =
        lifecycleCases + execCases + observationCases + refusalCases
        + imageCases
}
