internal import CSQLite
import Foundation
import ZCCore
import ZCSQL

/// The platform's store on one SQLite file in WAL mode: the single-node default.
///
/// The file stays readable by the stock `sqlite3` CLI while the server runs, and the operations
/// document's maintenance commands (`PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`) work live.
public final class SQLiteStore: SQLBackedStore, StoreMaintenance, StoreBackup, StoreReadPaths,
    StoreRevisions
{
    public let options: SQLiteOptions
    private let database: SQLiteDatabase
    private let store: SQLStore

    /// Opens (creating if missing) the database at `options.path`. Creates the parent directory.
    /// Fails with a clear `StoreError` on a file that is not a database, a damaged one, or a directory
    /// that cannot be written, and changes nothing on disk when it does.
    public init(options: SQLiteOptions, logger: Logger) throws {
        self.options = options
        try Self.prepareDirectory(of: options.path)
        database = try SQLiteDatabase(options: options)
        store = SQLStore(driver: "sqlite", database: database, migrations: SQLiteMigrations.all, logger: logger)
    }

    /// Reads answered on an event loop's own connection, and reads that began there but ran on the
    /// reader pool (past the loop's budget, or the database busy), since the store opened.
    public var loopReads: (answered: Int, fellBack: Int) {
        (database.loopReads.load(ordering: .relaxed), database.loopFallbacks.load(ordering: .relaxed))
    }

    /// Read sessions on an event loop that reused the snapshot the loop's previous session kept (see
    /// `SQLiteLoopReader.snapshotReuse`).
    public var loopSnapshotsReused: Int { database.counts.snapshotsReused.load(ordering: .relaxed) }

    /// How long a loop's kept snapshot may serve later reads while the loop stays busy.
    public static var loopSnapshotReuse: Duration { SQLiteLoopReader.snapshotReuse }

    public func revision() async throws -> StoreRevision { database.revisions.revision() }

    /// The SQLite library this binary is linked against.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// The shared SQL store underneath: every `Store` method runs there.
    public var sqlStore: SQLStore { store }

    private static func prepareDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StoreError(.cannotOpen, "cannot open the database at \(path): \(directory) is not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            } catch {
                throw StoreError(.cannotOpen, "cannot create the directory \(directory) for the database")
            }
        }
        // SQLite needs to create the -wal and -shm files beside the database.
        guard access(directory, W_OK | X_OK) == 0 else {
            throw StoreError(.readOnly, "cannot write the database directory \(directory): permission denied")
        }
        if FileManager.default.fileExists(atPath: path) {
            guard access(path, R_OK | W_OK) == 0 else {
                throw StoreError(.readOnly, "cannot read and write the database file \(path): permission denied")
            }
        } else {
            // The database holds sealed secrets and token hashes: only its owner may read it. SQLite gives
            // the -wal and -shm files the same mode.
            let descriptor = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if descriptor >= 0 { Glibc.close(descriptor) }
        }
    }

    // MARK: StoreMaintenance

    public func checkpoint() async throws -> CheckpointResult {
        try await database.withWriter { connection in
            guard let row = try await connection.query("PRAGMA wal_checkpoint(TRUNCATE)", []).first else {
                throw StoreError(.other, "wal_checkpoint returned nothing")
            }
            return CheckpointResult(
                logPages: max(0, try row.int("log")), checkpointedPages: max(0, try row.int("checkpointed")),
                complete: try row.int("busy") == 0)
        }
    }

    public func vacuum() async throws {
        try await database.withWriter { connection in
            try await connection.executeScript("VACUUM")
        }
    }

    public func sizes() async throws -> [(name: String, bytes: Int64)] {
        [options.path, options.path + "-wal", options.path + "-shm"].map { file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            return ((file as NSString).lastPathComponent, (attributes?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    public func tableSizes() async throws -> [(name: String, bytes: Int64)] {
        let rows = try await database.readers.withConnection { connection in
            try await connection.query(
                """
                SELECT COALESCE(i.tbl_name, d.name) AS owner, SUM(d.pgsize) AS bytes FROM dbstat d \
                LEFT JOIN sqlite_schema i ON i.name = d.name GROUP BY owner ORDER BY bytes DESC
                """, [])
        }
        return try rows.map { (try $0.string("owner"), try $0.int64("bytes")) }
    }

    public func integrityCheck() async throws -> [String] {
        let rows = try await database.readers.withConnection { connection in
            try await connection.textRows("PRAGMA integrity_check")
        }
        let lines = rows.compactMap(\.first)
        return lines == ["ok"] ? [] : lines
    }

    // MARK: StoreBackup

    public func snapshot(to path: String) async throws {
        // VACUUM INTO writes a new file, which read-only connections may not; it reads the source in one
        // read transaction, so the server's writers go on meanwhile.
        try await database.withWriter { connection in
            _ = try await connection.query("VACUUM INTO ?1", [.text(path)])
        }
    }

    /// Caps the database file at `pages` pages on the writer, so tests can make SQLite report a full disk.
    package func setMaximumPageCount(_ pages: Int) async throws {
        try await database.withWriter { connection in
            try await connection.executeScript("PRAGMA max_page_count = \(pages)")
        }
    }

    /// Reads a PRAGMA on a reader connection (for tests and `config check`).
    public func pragma(_ name: String) async throws -> String? {
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw StoreError(.other, "not a pragma name")
        }
        return try await database.readers.withConnection { connection in
            try await connection.textRows("PRAGMA \(name)").first?.first
        }
    }
}
