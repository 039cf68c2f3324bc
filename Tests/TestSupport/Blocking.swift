import Dispatch

/// Runs blocking work (waiting for a process) on a dispatch thread, off Swift's cooperative pool: the
/// tests run in parallel on a pool of one thread per core, and a test that blocks one for seconds stalls
/// every other test's awaits (and their deadlines pass while they wait).
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}
