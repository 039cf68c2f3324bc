import Synchronization
import ZCCore
import ZCSQL

/// One writer and a small pool of readers on one database file. In WAL mode readers never wait for
/// the writer, and the writer is lent to one transaction at a time.
final class SQLiteDatabase: SQLDatabase {
    let dialect = SQLDialect.sqlite
    let writer: ConnectionPool<SQLiteConnection>
    let readers: ConnectionPool<SQLiteConnection>
    /// `PRAGMA data_version` for `StoreRevisions`.
    let revisions: SQLiteRevisionWatch

    init(options: SQLiteOptions) throws {
        // The writer first: it verifies the file and switches it to WAL before any reader opens it.
        let writer = try SQLiteConnection(path: options.path, role: .writer, options: options)
        var readers: [SQLiteConnection] = []
        for _ in 0..<max(1, options.readers) {
            readers.append(try SQLiteConnection(path: options.path, role: .reader, options: options))
        }
        self.writer = ConnectionPool([writer])
        self.readers = ConnectionPool(readers)
        revisions = try SQLiteRevisionWatch(path: options.path, options: options)
        self.options = options
    }

    /// This process's write sessions ended (committed or not): a loop reader reuses a snapshot only while
    /// it is unchanged, so a read after a write always sees it.
    let counts = SQLiteSessionCounts()

    func withConnection<R: Sendable>(
        write: Bool, _ body: @Sendable (any SQLConnection) async throws -> R
    ) async throws -> R {
        if write {
            defer { counts.commits.add(1, ordering: .releasing) }
            return try await writer.withConnection { try await body($0) }
        }
        if let reader = loopReader(), reader.take(budget: Self.loopBudget) {
            do {
                let result = try await body(reader)
                reader.give()
                loopReads.add(1, ordering: .relaxed)
                return result
            } catch {
                let overBudget = reader.overBudget
                reader.give()
                // Past the budget, busy, or moved off its loop: the same read on the pool (reads have no
                // effects to repeat). Anything else is the read's own failure.
                guard overBudget || error is SQLiteLoopReader.Moved || Self.isBusy(error) else { throw error }
                loopFallbacks.add(1, ordering: .relaxed)
            }
        }
        return try await readers.withConnection { try await body($0) }
    }

    /// How long a read on an event loop's thread may keep it (SQLite work in one session) before it is
    /// interrupted and run on the reader pool instead.
    static let loopBudget: Duration = .milliseconds(2)
    /// Loop readers open at most; past it, reads use the pool.
    static let maxLoopReaders = 64

    /// Reads answered on an event loop's own connection, and reads that fell back to the pool.
    let loopReads = Atomic<Int>(0)
    let loopFallbacks = Atomic<Int>(0)

    private let options: SQLiteOptions
    /// Each event loop's reader, by thread, opened on its first read; `closed` once the store closes.
    private let loopReaders = Mutex<(readers: [UInt: SQLiteLoopReader], closed: Bool)>(([:], false))

    /// This event loop's reader, opened on first use; nil off the loops, or when it cannot be opened
    /// (the pool serves, and the next read tries again).
    private func loopReader() -> SQLiteLoopReader? {
        guard EventLoopThread.isCurrent else { return nil }
        let thread = EventLoopThread.currentID
        return loopReaders.withLock { state -> SQLiteLoopReader? in
            guard !state.closed else { return nil }
            if let reader = state.readers[thread] { return reader }
            // One per server loop (as many as cores); a bound all the same, should threads come and go.
            guard state.readers.count < Self.maxLoopReaders,
                let reader = try? SQLiteLoopReader(
                    path: options.path, options: options, thread: thread, counts: counts)
            else {
                return nil
            }
            reader.endSnapshotsWhenIdle()
            state.readers[thread] = reader
            return reader
        }
    }

    private static func isBusy(_ error: any Error) -> Bool {
        (error as? StoreError)?.kind == .busy
    }

    /// Lends the writer for maintenance that must not overlap a transaction.
    func withWriter<R: Sendable>(_ body: @Sendable (SQLiteConnection) async throws -> R) async throws -> R {
        defer { counts.commits.add(1, ordering: .releasing) }
        return try await writer.withConnection { try await body($0) }
    }

    func close() async {
        let loops = loopReaders.withLock { state -> [SQLiteLoopReader] in
            state.closed = true
            defer { state.readers = [:] }
            return Array(state.readers.values)
        }
        for reader in loops { reader.closeIfIdle() }
        revisions.close()
        writer.close()
        readers.close()
        for connection in readers.connections + writer.connections {
            await connection.close()
        }
    }
}

/// Counts shared by the writer and the loop readers.
final class SQLiteSessionCounts: Sendable {
    /// Write sessions of this process that ended.
    let commits = Atomic<Int>(0)
    /// Read sessions on a loop that reused the snapshot the loop's last session kept.
    let snapshotsReused = Atomic<Int>(0)
}
