import ZCCore
import ZCSQL

/// One connection to the SQLite database, owned by this actor and run on its own thread so that a
/// busy wait or a slow disk never blocks Swift's cooperative pool.
actor SQLiteConnection: SQLConnection {
    typealias Role = SQLiteHandle.Role

    private let executor: BlockingExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated var sessionExecutor: (any TaskExecutor)? { executor }
    private let handle: SQLiteHandle

    init(path: String, role: Role, options: SQLiteOptions) throws {
        executor = BlockingExecutor(label: "zcplatform.sqlite.\(role.rawValue)")
        handle = try SQLiteHandle(path: path, role: role, options: options)
    }

    func close() { handle.close() }

    // MARK: SQLConnection

    func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] { try handle.query(sql, binds) }
    func execute(_ sql: String, _ binds: [SQLValue]) throws -> Int { try handle.execute(sql, binds) }
    func executeMany(_ sql: String, _ rows: [[SQLValue]]) throws -> Int { try handle.executeMany(sql, rows) }
    func executeScript(_ sql: String) throws { try handle.executeScript(sql) }
    func textRows(_ sql: String) throws -> [[String]] { try handle.textRows(sql) }
}
