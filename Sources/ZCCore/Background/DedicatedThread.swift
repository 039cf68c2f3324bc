import Foundation

/// Runs blocking work (a child process's output, a socket without an event loop) on a thread of its own
/// and awaits it.
///
/// Not on Swift's cooperative pool, and not on a dispatch global queue either: on Linux, work blocked on
/// the default global queue delays `Task.sleep` wake-ups of higher-priority tasks elsewhere in the process
/// (`zcbench blocking`: 16 items blocked for 3 s delay a high-priority task's 50 ms sleeps by about 7 s;
/// see Docs/BENCHMARKS.md). A thread per call costs tens of microseconds, nothing beside a blocking call;
/// callers bound how many run at once (the process runtime's exec slots, the notification queue).
public enum DedicatedThread {
    public static func run<T: Sendable>(
        _ name: String, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }

    public static func run<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }

    /// Starts `body` on a thread of its own and returns at once; the caller keeps track of its end.
    public static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { body() }
        thread.name = name
        thread.start()
    }
}
