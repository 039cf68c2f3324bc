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
}
