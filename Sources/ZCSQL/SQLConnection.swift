/// One connection to a database. Its C handle never leaves it: either an actor owns it, or (SQLite's
/// readers on an event loop) one thread does and nothing else ever calls it.
public protocol SQLConnection: AnyObject, Sendable {
    /// Runs a statement and returns its rows.
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs a statement and returns the number of rows it changed.
    @discardableResult func execute(_ sql: String, _ binds: [SQLValue]) async throws -> Int
    /// Runs one statement once per set of binds (a batch insert) and returns the rows changed in all.
    @discardableResult func executeMany(_ sql: String, _ rows: [[SQLValue]]) async throws -> Int
    /// Runs SQL text that may hold several statements and no binds (migrations).
    func executeScript(_ sql: String) async throws
    /// Where a session on this connection runs its body (the executor the actor runs on, when it is
    /// also a task executor), so that its statements do not cross threads; nil to run it where it is.
    var sessionExecutor: (any TaskExecutor)? { get }
}

extension SQLConnection {
    public var sessionExecutor: (any TaskExecutor)? { nil }
}

/// The connections of one database: writers, readers, and how to reach them.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Lends a connection for the duration of `body`. A write connection is exclusive to its borrower.
    func withConnection<R: Sendable>(
        write: Bool, _ body: @Sendable (any SQLConnection) async throws -> R
    ) async throws -> R
    func close() async
}
