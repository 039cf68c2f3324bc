import ZCCore

/// Runs blocking work (waiting for a process) on a thread of its own: not on Swift's cooperative pool,
/// where a test that blocks one of the few threads stalls every other test's awaits, and not on a
/// dispatch global queue, whose blocked threads delay every `Task.sleep` in the process (see
/// `DedicatedThread`).
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await DedicatedThread.run("test-blocking", body)
    }
}
