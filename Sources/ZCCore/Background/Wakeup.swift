import Synchronization

/// Wakes one waiting loop early: `wait(upTo:)` returns when `signal()` is called, when the time is up, or
/// when its task is cancelled, whichever comes first. A signal sent while no one waits is kept for the
/// next wait, so none is lost between two waits; several signals meanwhile count as one. One loop waits
/// at a time.
public final class Wakeup: Sendable {
    private struct State {
        /// A signal no wait has taken yet.
        var pending = false
        /// The wait's time ran out (or it was cancelled) before it was registered.
        var expired = false
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiting loop, or the next one to wait.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Waits for a signal for at most `duration`; whether one came.
    @discardableResult
    public func wait(upTo duration: Duration) async -> Bool {
        let signalled = state.withLock { state -> Bool in
            state.expired = false
            defer { state.pending = false }
            return state.pending
        }
        if signalled { return true }
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                try? await Task.sleep(for: duration)
                self.expire()
                return nil
            }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in self.register(continuation) }
                } onCancel: {
                    self.expire()
                }
            }
            var woken = false
            for await result in group {
                guard let result else { continue }
                woken = result
                group.cancelAll()
            }
            return woken
        }
    }

    private func register(_ continuation: CheckedContinuation<Bool, Never>) {
        let answer = state.withLock { state -> Bool? in
            if state.pending {
                state.pending = false
                return true
            }
            if state.expired { return false }
            state.waiter = continuation
            return nil
        }
        if let answer { continuation.resume(returning: answer) }
    }

    /// Ends the wait without a signal.
    private func expire() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiter else {
                state.expired = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: false)
    }
}
