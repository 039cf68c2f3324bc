/// What a store offers `zcplatform backup` and `restore`.
public protocol StoreBackup: Sendable {
    /// Writes a consistent copy of the whole database to the new file `path` while the store stays in use
    /// (SQLite's `VACUUM INTO`: one read snapshot, never a copy of a live WAL database's files).
    /// Stores that cannot (a server database) throw; the backup then makes a logical export instead.
    func snapshot(to path: String) async throws
    /// The number of rows of every table the database holds, whatever its schema version.
    func tableRowCounts() async throws -> [String: Int]
}
