import Synchronization
import ZCCore
import ZCSQL

/// The database's revision for caches of views: `PRAGMA data_version` on a connection of its own. SQLite
/// changes it whenever another connection commits (this process's writer, a `zcplatform` CLI command, the
/// `sqlite3` shell), so it covers every writer of the file. The call reads the WAL index in shared memory
/// and never waits: busy timeout 0, and a busy database answers a revision no one has seen (the cache
/// misses once) rather than keeping the caller's thread.
final class SQLiteRevisionWatch: Sendable {
    private let handle: Mutex<SQLiteHandle?>
    /// Answered when the pragma fails, each one new.
    private let unseen = Atomic<Int>(0)

    init(path: String, options: SQLiteOptions) throws {
        handle = Mutex(try SQLiteHandle(path: path, role: .loopReader, options: options))
    }

    func revision() -> StoreRevision {
        let version = handle.withLock { handle -> Int64? in
            try? handle?.query("PRAGMA data_version", []).first?.int64("data_version")
        }
        guard let version else {
            return StoreRevision("unseen-\(unseen.add(1, ordering: .relaxed).newValue)")
        }
        return StoreRevision(String(version))
    }

    func close() {
        handle.withLock { handle in
            handle?.close()
            handle = nil
        }
    }
}
