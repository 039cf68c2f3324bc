import ZCSQL

extension SQLDialect {
    /// SQLite's SQL: `?1` placeholders, `BEGIN IMMEDIATE` takes the write lock at once (so no prelude and
    /// no `FOR UPDATE` are needed), rowids continue after the highest, one prepared statement per row.
    public static let sqlite = SQLDialect(
        name: "sqlite", placeholder: { "?\($0)" }, beginWrite: "BEGIN IMMEDIATE", beginRead: "BEGIN DEFERRED",
        maxBinds: 32766, least: "min", greatest: "max",
        listTables: "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        currentSeconds: "CAST(strftime('%s', 'now') AS INTEGER)")
}
