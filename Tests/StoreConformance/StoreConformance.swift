import Synchronization
import ZCCore

/// A store made for one conformance case, and how to dispose of it afterwards.
public struct StoreUnderTest: Sendable {
    public let store: any Store
    public let dispose: @Sendable () async -> Void

    public init(store: any Store, dispose: @escaping @Sendable () async -> Void) {
        self.store = store
        self.dispose = dispose
    }
}

/// Makes a fresh, migrated, empty store.
public typealias StoreFactory = @Sendable () async throws -> StoreUnderTest

/// One behaviour every `Store` must have. Drivers run every case unchanged, one test each:
/// `@Test(arguments: StoreConformance.cases) func conformance(_ c: StoreConformanceCase)`.
public struct StoreConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    let body: @Sendable (any Store) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (any Store) async throws -> Void) {
        self.name = name
        self.body = body
    }

    public var description: String { name }

    /// Runs the case on a fresh store from `factory`; throws a `ConformanceFailure` when the store
    /// does not behave.
    public func run(_ factory: StoreFactory) async throws {
        let subject = try await factory()
        do {
            try await body(subject.store)
        } catch {
            await subject.dispose()
            throw error
        }
        await subject.dispose()
    }
}

public enum StoreConformance {
    /// Every case, in a stable order.
    public static let cases: [StoreConformanceCase] =
        tenantCases + userCases + channelCases + tokenCases + auditCases + transactionCases + metricCases + rollupCases
        + fleetCases + authCases + counterCases + rolloutCases
}

/// A behaviour the store did not have, with where the suite checked it.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let message: String
    public let location: String

    public var description: String { "\(location): \(message)" }
}

func expect(
    _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) throws {
    guard condition else { throw ConformanceFailure(message: message(), location: "\(file):\(line)") }
}

func expectEqual<T: Equatable>(
    _ actual: T?, _ expected: T?, _ what: @autoclosure () -> String = "", file: StaticString = #fileID,
    line: UInt = #line
) throws {
    guard actual == expected else {
        let show = { (value: T?) in value.map { "\($0)" } ?? "nil" }
        throw ConformanceFailure(
            message: "\(what()): expected \(show(expected)), got \(show(actual))", location: "\(file):\(line)")
    }
}

/// Runs `body` and checks it fails with a `StoreError` of `kind`; returns the error.
@discardableResult
func expectStoreError(
    _ kind: StoreError.Kind, file: StaticString = #fileID, line: UInt = #line,
    _ body: () async throws -> Void
) async throws -> StoreError {
    do {
        try await body()
    } catch let error as StoreError {
        guard error.kind == kind else {
            throw ConformanceFailure(
                message: "expected StoreError.\(kind), got .\(error.kind): \(error)", location: "\(file):\(line)")
        }
        return error
    } catch {
        throw ConformanceFailure(
            message: "expected StoreError.\(kind), got \(type(of: error)): \(error)", location: "\(file):\(line)")
    }
    throw ConformanceFailure(message: "expected StoreError.\(kind), but it succeeded", location: "\(file):\(line)")
}

/// A one-shot signal between tasks.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}

/// Fails when `body` takes longer than `seconds`: a store that blocks where it must not.
func withinSeconds<R: Sendable>(
    _ seconds: Int, _ what: String, file: StaticString = #fileID, line: UInt = #line,
    _ body: @escaping @Sendable () async throws -> R
) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw ConformanceFailure(message: "\(what) did not finish within \(seconds) s", location: "\(file):\(line)")
        }
        return result
    }
}
