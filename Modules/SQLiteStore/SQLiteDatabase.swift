import ZCCore
import ZCSQL

/// One writer and a small pool of readers on one database file. In WAL mode readers never wait for
/// the writer, and the writer is lent to one transaction at a time.
final class SQLiteDatabase: SQLDatabase {
    let dialect = SQLDialect.sqlite
    let writer: ConnectionPool<SQLiteConnection>
    let readers: ConnectionPool<SQLiteConnection>

    init(options: SQLiteOptions) throws {
        // The writer first: it verifies the file and switches it to WAL before any reader opens it.
        let writer = try SQLiteConnection(path: options.path, role: .writer, options: options)
        var readers: [SQLiteConnection] = []
        for _ in 0..<max(1, options.readers) {
            readers.append(try SQLiteConnection(path: options.path, role: .reader, options: options))
        }
        self.writer = ConnectionPool([writer])
        self.readers = ConnectionPool(readers)
    }

    func withConnection<R: Sendable>(
        write: Bool, _ body: @Sendable (any SQLConnection) async throws -> R
    ) async throws -> R {
        try await (write ? writer : readers).withConnection { try await body($0) }
    }

    /// Lends the writer for maintenance that must not overlap a transaction.
    func withWriter<R: Sendable>(_ body: @Sendable (SQLiteConnection) async throws -> R) async throws -> R {
        try await writer.withConnection { try await body($0) }
    }

    func close() async {
        writer.close()
        readers.close()
        for connection in readers.connections + writer.connections {
            await connection.close()
        }
    }
}
