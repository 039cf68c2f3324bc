internal import CSQLite
import Foundation
import ZCCore
import ZCSQL

/// One SQLite connection's C handle and its prepared statements. Not thread-safe: exactly one owner
/// calls it, the `SQLiteConnection` actor (on its own thread) or an event loop's `SQLiteLoopReader`.
final class SQLiteHandle: @unchecked Sendable {
    enum Role: String {
        case writer
        case reader
        /// A reader on an event loop's thread: it never waits for a lock, and gives up on a statement
        /// once its session's budget is spent (`budget`).
        case loopReader = "loop-reader"
    }

    let path: String
    let role: Role
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    private var statementOrder: [String] = []
    private let statementCacheSize = 64
    /// A loop reader's deadline, read by SQLite's progress handler every 1,000 virtual-machine steps.
    let budget = SQLiteBudget()

    init(path: String, role: Role, options: SQLiteOptions) throws {
        self.path = path
        self.role = role
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw SQLiteError.make(code: code, message: message, path: path)
        }
        sqlite3_extended_result_codes(handle, 1)
        // A loop reader must not wait on the event loop's thread: SQLITE_BUSY at once, and the pool runs it.
        sqlite3_busy_timeout(handle, role == .loopReader ? 0 : Int32(clamping: options.busyTimeoutMilliseconds))
        do {
            try Self.configure(handle, path: path, role: role, options: options)
        } catch {
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        if role == .loopReader {
            sqlite3_progress_handler(handle, 1_000, SQLiteBudget.handler, Unmanaged.passUnretained(budget).toOpaque())
        }
    }

    private static func configure(_ db: OpaquePointer, path: String, role: Role, options: SQLiteOptions) throws {
        // Reading the schema fails with SQLITE_NOTADB on a file that is not a database, before anything
        // could have been written to it.
        _ = try pragma(db, "SELECT count(*) FROM sqlite_master", path: path)
        if role == .writer {
            let mode = try pragma(db, "PRAGMA journal_mode=WAL", path: path)
            guard mode?.lowercased() == "wal" else {
                throw StoreError(.other, "\(path) could not be switched to WAL mode (journal_mode is \(mode ?? "?"))")
            }
            _ = try pragma(db, "PRAGMA journal_size_limit=\(64 * 1024 * 1024)", path: path)
        }
        _ = try pragma(db, "PRAGMA synchronous=NORMAL", path: path)
        _ = try pragma(db, "PRAGMA foreign_keys=ON", path: path)
        guard try pragma(db, "PRAGMA foreign_keys", path: path) == "1" else {
            throw StoreError(.other, "SQLite refused to enable foreign keys on \(path)")
        }
        _ = try pragma(db, "PRAGMA cache_size=-\(max(1024, options.cacheKibibytes))", path: path)
        _ = try pragma(db, "PRAGMA temp_store=MEMORY", path: path)
        if role != .writer {
            _ = try pragma(db, "PRAGMA query_only=1", path: path)
        }
    }

    /// Runs a statement that needs no binds and returns the first column of its first row as text.
    private static func pragma(_ db: OpaquePointer, _ sql: String, path: String) throws -> String? {
        var statement: OpaquePointer?
        var code = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard code == SQLITE_OK else {
            throw SQLiteError.make(code: code, message: String(cString: sqlite3_errmsg(db)), path: path)
        }
        defer { sqlite3_finalize(statement) }
        code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW:
            return sqlite3_column_text(statement, 0).map { String(cString: $0) }
        case SQLITE_DONE:
            return nil
        default:
            throw SQLiteError.make(code: code, message: String(cString: sqlite3_errmsg(db)), path: path)
        }
    }

    /// Ends a transaction a session left open (its ROLLBACK was interrupted or refused), so that the
    /// next session's BEGIN finds none.
    /// Whether a transaction is open.
    var inTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    func rollbackIfOpen() {
        guard let handle, sqlite3_get_autocommit(handle) == 0 else { return }
        sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
    }

    func close() {
        statements.removeAll()
        statementOrder.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    // MARK: Statements

    func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        let statement = try prepared(sql)
        try check(statement.bind(binds))
        defer { sqlite3_reset(statement.handle) }
        var rows: [SQLRow] = []
        while true {
            let code = sqlite3_step(statement.handle)
            if code == SQLITE_ROW {
                rows.append(statement.row())
            } else if code == SQLITE_DONE {
                return rows
            } else {
                throw error(code)
            }
        }
    }

    func execute(_ sql: String, _ binds: [SQLValue]) throws -> Int {
        let statement = try prepared(sql)
        return try run(statement, binds)
    }

    func executeMany(_ sql: String, _ rows: [[SQLValue]]) throws -> Int {
        let statement = try prepared(sql)
        var total = 0
        for binds in rows { total += try run(statement, binds) }
        return total
    }

    func executeScript(_ sql: String) throws {
        let db = try open()
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(db, sql, nil, nil, &message)
        let text = message.map { String(cString: $0) } ?? ""
        sqlite3_free(message)
        guard code == SQLITE_OK else { throw SQLiteError.make(code: code, message: text, path: path) }
    }

    /// Runs a statement that returns one text value per row (PRAGMA results).
    func textRows(_ sql: String) throws -> [[String]] {
        try query(sql, []).map { row in
            row.values.map { value in
                switch value {
                case .null: ""
                case .integer(let number): String(number)
                case .real(let number): String(number)
                case .text(let text): text
                case .blob(let bytes): "<\(bytes.count) bytes>"
                }
            }
        }
    }

    // MARK: Internals

    private func run(_ statement: SQLiteStatement, _ binds: [SQLValue]) throws -> Int {
        try check(statement.bind(binds))
        defer { sqlite3_reset(statement.handle) }
        while true {
            let code = sqlite3_step(statement.handle)
            if code == SQLITE_DONE { return Int(sqlite3_changes64(handle)) }
            if code != SQLITE_ROW { throw error(code) }
        }
    }

    private func open() throws -> OpaquePointer {
        guard let handle else { throw StoreError(.closed, "the store is closed") }
        return handle
    }

    private func prepared(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let db = try open()
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else { throw error(code) }
        let statement = SQLiteStatement(handle: handle)
        if statementOrder.count >= statementCacheSize {
            statements[statementOrder.removeFirst()] = nil
        }
        statements[sql] = statement
        statementOrder.append(sql)
        return statement
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> StoreError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
        return SQLiteError.make(code: sqlite3_extended_errcode(handle).nonZero ?? code, message: message, path: path)
    }
}

/// When a loop reader's statements must stop (CLOCK_MONOTONIC nanoseconds; 0: no limit), and whether
/// SQLite's progress handler stopped one because of it.
final class SQLiteBudget: @unchecked Sendable {
    var deadline: UInt64 = 0
    var spent = false

    /// Installed with `sqlite3_progress_handler`: nonzero interrupts the running statement.
    static let handler: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { context in
        guard let context else { return 0 }
        let budget = Unmanaged<SQLiteBudget>.fromOpaque(context).takeUnretainedValue()
        guard budget.deadline != 0, MonotonicClock.now() > budget.deadline else { return 0 }
        budget.spent = true
        return 1
    }
}

extension Int32 {
    fileprivate var nonZero: Int32? { self == 0 ? nil : self }
}
