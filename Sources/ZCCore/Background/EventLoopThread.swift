import Glibc

/// Marks the threads of the HTTP server's event loops (the server marks each of its loops; a client's
/// loop is not marked). A store may do short, bounded work right on such a
/// thread instead of handing it to a thread of its own and back (two context switches per request):
/// SQLite reads within a budget of a few milliseconds (`SQLiteStore`'s loop readers). Anything that
/// could wait for long must still leave the thread.
public enum EventLoopThread {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Called once on the loop's own thread, before it serves anything.
    public static func markCurrent() {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }

    /// Whether the caller runs on an event loop's thread.
    public static var isCurrent: Bool { pthread_getspecific(key) != nil }

    /// The caller's thread, as an integer (a key for what a store keeps per loop).
    public static var currentID: UInt { UInt(bitPattern: Int(bitPattern: pthread_self())) }

    /// What runs on this thread each time its loop is about to wait for events (nothing left to run): a
    /// store ends there what it keeps open only while the loop is busy (a loop reader's read snapshot).
    /// A hook that keeps something a little longer answers until when (`MonotonicClock` nanoseconds):
    /// the loop then waits no longer than that before it calls the hooks again. Called on the loop's own
    /// thread; the hook stays for the thread's life.
    public static func whenIdle(_ hook: @escaping () -> UInt64?) {
        let hooks: IdleHooks
        if let pointer = pthread_getspecific(idleKey) {
            hooks = Unmanaged<IdleHooks>.fromOpaque(pointer).takeUnretainedValue()
        } else {
            hooks = IdleHooks()
            pthread_setspecific(idleKey, Unmanaged.passRetained(hooks).toOpaque())
        }
        hooks.hooks.append(hook)
    }

    /// Runs this thread's idle hooks; the event loop calls it before a wait that may block, and waits no
    /// later than the earliest time returned.
    public static func runIdleHooks() -> UInt64? {
        guard let pointer = pthread_getspecific(idleKey) else { return nil }
        var earliest: UInt64?
        for hook in Unmanaged<IdleHooks>.fromOpaque(pointer).takeUnretainedValue().hooks {
            if let until = hook() { earliest = min(earliest ?? until, until) }
        }
        return earliest
    }

    private final class IdleHooks {
        var hooks: [() -> UInt64?] = []
    }

    private static let idleKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        return key
    }()
}
