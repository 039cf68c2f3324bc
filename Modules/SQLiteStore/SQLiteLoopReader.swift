import Synchronization
import ZCCore
import ZCSQL

/// A read-only connection that belongs to one event loop's thread and runs its statements right there:
/// a read answered on the loop crosses no thread. What keeps the loop from waiting:
/// - WAL readers take no lock a writer holds; should SQLite still report the database busy, the read
///   fails at once (busy timeout 0) and runs again on the reader pool.
/// - A session has a budget (`SQLiteDatabase.loopBudget`, 2 ms): SQLite's progress handler interrupts a
///   statement past it and the read runs again on the pool. A fleet view of 10,000 tenants goes there;
///   a tenant's read (tens of microseconds) never does.
/// - One session at a time: a read that suspends inside its body keeps the connection, and a read that
///   starts on the same loop meanwhile goes to the pool.
/// Pages not in memory are read from the OS page cache or the disk, as any reader does.
final class SQLiteLoopReader: SQLConnection, @unchecked Sendable {
    let thread: UInt
    private let handle: SQLiteHandle
    private let busy = Atomic<Bool>(false)
    /// This process's commits (`SQLiteDatabase.counts`): a kept snapshot is reused only while it is
    /// unchanged.
    private let counts: SQLiteSessionCounts
    /// The snapshot kept between sessions; touched on the loop's thread only.
    private var kept = KeptSnapshot()

    /// A read transaction left open by a session that committed, for the next session on this loop.
    struct KeptSnapshot {
        /// A session ended with COMMIT and the transaction is still open.
        var reusable = false
        /// When its BEGIN ran, and this process's commits then.
        var begunAt: UInt64 = 0
        var commits = 0
    }

    init(path: String, options: SQLiteOptions, thread: UInt, counts: SQLiteSessionCounts) throws {
        self.thread = thread
        self.counts = counts
        handle = try SQLiteHandle(path: path, role: .loopReader, options: options)
    }

    /// When the loop is about to wait for events, ends the kept snapshot once it is no longer current;
    /// until then the loop waits no longer than it stays current (at most `snapshotReuse`), so a
    /// snapshot outlives the loop's last read by at most that. Called once, on the loop's thread.
    func endSnapshotsWhenIdle() {
        EventLoopThread.whenIdle { [weak self] in self?.idle() }
    }

    private func idle() -> UInt64? {
        guard kept.reusable, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return nil }
        defer { busy.store(false, ordering: .releasing) }
        if keptIsCurrent { return kept.begunAt + Self.reuseNanoseconds }
        kept.reusable = false
        handle.rollbackIfOpen()
        return nil
    }

    /// Takes the connection for one session; false while another holds it.
    func take(budget: Duration) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        // Taken on its own thread (`SQLiteDatabase` finds the reader of the caller's thread).
        handle.budget.deadline = 0
        if kept.reusable, !keptIsCurrent { kept.reusable = false }
        if !kept.reusable { handle.rollbackIfOpen() }
        handle.budget.spent = false
        handle.budget.deadline = MonotonicClock.deadline(after: budget)
        return true
    }

    func give() {
        handle.budget.deadline = 0
        // A session whose ROLLBACK was interrupted leaves its read transaction open, which would keep a
        // checkpoint from truncating the WAL until the next session: ended here when on its thread
        // (unless it committed: then it is kept for the next session, or the loop's idle hook ends it).
        if EventLoopThread.currentID == thread, !kept.reusable { handle.rollbackIfOpen() }
        busy.store(false, ordering: .releasing)
    }

    /// How long a kept snapshot may serve later sessions: a write by another process (a CLI command) is
    /// seen at most this late while the loop stays busy. This process's writes are seen at once.
    static let snapshotReuse: Duration = .milliseconds(1)

    /// BEGIN, COMMIT and ROLLBACK of a read session. A committed read transaction changed nothing: it
    /// stays open, and the next session's BEGIN reuses its snapshot while it is younger than
    /// `snapshotReuse` and no write of this process committed since. That saves each session the
    /// statements and the file locks (four `fcntl` calls) of opening and closing a transaction.
    private func transactionControl(_ sql: String, _ binds: [SQLValue]) throws -> Int? {
        switch sql {
        case SQLDialect.sqlite.beginRead:
            // `take` ended a kept snapshot that is no longer current.
            if kept.reusable, handle.inTransaction {
                kept.reusable = false
                counts.snapshotsReused.add(1, ordering: .relaxed)
                return 0
            }
            kept.reusable = false
            handle.rollbackIfOpen()
            // Read before the snapshot is taken: a commit in between makes the next session begin anew.
            kept.commits = counts.commits.load(ordering: .acquiring)
            kept.begunAt = MonotonicClock.now()
            return try handle.execute(sql, binds)
        case "COMMIT":
            guard handle.inTransaction else { return try handle.execute(sql, binds) }
            kept.reusable = true
            return 0
        case "ROLLBACK":
            kept.reusable = false
            return try handle.execute(sql, binds)
        default:
            return nil
        }
    }

    /// Young enough, and no commit of this process since its BEGIN.
    private var keptIsCurrent: Bool {
        handle.inTransaction && MonotonicClock.now() < kept.begunAt + Self.reuseNanoseconds
            && counts.commits.load(ordering: .acquiring) == kept.commits
    }

    private static let reuseNanoseconds: UInt64 = {
        let parts = snapshotReuse.components
        return UInt64(parts.seconds) * 1_000_000_000 + UInt64(parts.attoseconds / 1_000_000_000)
    }()

    /// Closes the connection unless a session holds it (the store closes after the server has stopped;
    /// a session still running keeps its handle, which the process's exit releases).
    func closeIfIdle() {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        handle.close()
    }

    /// Whether the session's budget ran out (a statement was interrupted for it).
    var overBudget: Bool { handle.budget.spent }

    // MARK: SQLConnection

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try onOwnThread()
        return try handle.query(sql, binds)
    }

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int {
        try onOwnThread()
        if let done = try transactionControl(sql, binds) { return done }
        return try handle.execute(sql, binds)
    }

    func executeMany(_ sql: String, _ rows: [[SQLValue]]) async throws -> Int {
        try onOwnThread()
        return try handle.executeMany(sql, rows)
    }

    func executeScript(_ sql: String) async throws {
        try onOwnThread()
        try handle.executeScript(sql)
    }

    /// The handle is not thread-safe: a call from any other thread is refused, not run.
    private func onOwnThread() throws {
        guard EventLoopThread.currentID == thread else {
            throw SQLiteLoopReader.Moved()
        }
    }

    /// A session's statement ran off the loop that owns the connection (its task left the loop): the
    /// read runs again on the pool.
    struct Moved: Error {}
}
