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

    init(path: String, options: SQLiteOptions, thread: UInt) throws {
        self.thread = thread
        handle = try SQLiteHandle(path: path, role: .loopReader, options: options)
    }

    /// Takes the connection for one session; false while another holds it.
    func take(budget: Duration) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        // Taken on its own thread (`SQLiteDatabase` finds the reader of the caller's thread).
        handle.budget.deadline = 0
        handle.rollbackIfOpen()
        handle.budget.spent = false
        handle.budget.deadline = MonotonicClock.deadline(after: budget)
        return true
    }

    func give() {
        handle.budget.deadline = 0
        // A session whose ROLLBACK was interrupted leaves its read transaction open, which would keep a
        // checkpoint from truncating the WAL until the next session: ended here when on its thread.
        if EventLoopThread.currentID == thread { handle.rollbackIfOpen() }
        busy.store(false, ordering: .releasing)
    }

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
