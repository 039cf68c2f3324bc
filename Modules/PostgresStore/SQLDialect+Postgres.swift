import ZCSQL

extension SQLDialect {
    /// PostgreSQL's SQL: `$1` placeholders, migrations without a statement timeout under an advisory lock
    /// (one per schema: the nodes of one cluster migrate once, while platforms in other schemas of one
    /// database never wait on each other), serial counters reset after a copy, multi-row inserts (one
    /// round trip), `LEAST`/`GREATEST`, `FOR UPDATE` where a read must hold its rows, and `pg_notify` to
    /// signal the other nodes.
    public static let postgres = SQLDialect(
        name: "postgres", placeholder: { "$\($0)" }, beginWrite: "BEGIN ISOLATION LEVEL READ COMMITTED",
        beginRead: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", maxBinds: 65535, rowsPerInsert: 1000,
        migrationPrelude: [
            "SET LOCAL statement_timeout = 0",
            "SELECT pg_advisory_xact_lock(726402341, hashtext(COALESCE(current_schema(), '')))",
        ],
        resetIdentity: { table, column in
            """
            SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), \
            COALESCE((SELECT MAX(\(column)) FROM \(table)), 0) + 1, false)
            """
        }, least: "LEAST", greatest: "GREATEST",
        listTables: """
            SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() \
            AND table_type = 'BASE TABLE' ORDER BY table_name
            """, forUpdate: " FOR UPDATE", currentSeconds: "CAST(FLOOR(EXTRACT(EPOCH FROM now())) AS BIGINT)",
        notify: { channel, payload in "SELECT pg_notify(\(channel), \(payload))" })
}
