import Dispatch

/// libdispatch on Linux makes the descriptor behind a clock's timers (a `timerfd`) the first time that
/// clock is used, and dies with SIGILL when it cannot: a first `Task.sleep` while the process is out of
/// descriptors (a connection flood, exactly when the HTTP listener backs off) would end the process.
/// `warm()` uses every clock once, at start, while descriptors are there.
public enum DispatchTimers {
    public static func warm() async {
        try? await Task.sleep(for: .milliseconds(1))  // ContinuousClock
        try? await SuspendingClock().sleep(for: .milliseconds(1))
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(1)) { done.resume() }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(wallDeadline: .now() + .milliseconds(1)) { done.resume() }
        }
    }
}
