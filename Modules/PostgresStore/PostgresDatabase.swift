import ZCCore
import ZCSQL

/// A bounded pool of connections, each able to read and write. A borrowed connection is checked (and
/// reconnected if the server dropped it) before it is handed out.
final class PostgresDatabase: SQLDatabase {
    let dialect = SQLDialect.postgres
    let pool: ConnectionPool<PostgresConnection>

    init(options: PostgresOptions) {
        pool = ConnectionPool((0..<max(1, options.poolSize)).map { PostgresConnection(options: options, number: $0) })
    }

    func withConnection<R: Sendable>(
        write: Bool, _ body: @Sendable (any SQLConnection) async throws -> R
    ) async throws -> R {
        try await pool.withConnection { connection in
            try await connection.prepareForUse()
            return try await body(connection)
        }
    }

    func close() async {
        pool.close()
        for connection in pool.connections { await connection.close() }
    }
}
