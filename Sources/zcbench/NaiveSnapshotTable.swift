import CSQLite
import Foundation
import ZCCore

/// The layout a typical implementation would choose, for comparison in the same run: a rowid table
/// with the tenant's slug and an ISO 8601 time as text, and a secondary index on (tenant_id, timestamp).
/// Same pragmas (WAL, synchronous=NORMAL), same cycles, one transaction per cycle.
final class NaiveSnapshotTable {
    private var db: OpaquePointer?
    private var insert: OpaquePointer?
    let path: String

    init(path: String) throws {
        self.path = path
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BenchmarkError("cannot open \(path)") }
        try exec(
            """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;
            CREATE TABLE resource_snapshots (
                id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, timestamp TEXT NOT NULL, cpu_pct REAL,
                mem_bytes INTEGER, mem_limit INTEGER, disk_bytes INTEGER, net_in INTEGER, net_out INTEGER,
                pids INTEGER);
            CREATE INDEX resource_snapshots_tenant_time ON resource_snapshots (tenant_id, timestamp);
            """)
        guard
            sqlite3_prepare_v2(
                db,
                "INSERT INTO resource_snapshots (tenant_id, timestamp, cpu_pct, mem_bytes, mem_limit, disk_bytes, net_in, net_out, pids) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                -1, &insert, nil) == SQLITE_OK
        else { throw BenchmarkError("prepare failed") }
    }

    deinit {
        sqlite3_finalize(insert)
        sqlite3_close(db)
    }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchmarkError(String(cString: sqlite3_errmsg(db)))
        }
    }

    func insertCycle(_ snapshots: [ResourceSnapshot]) throws {
        try exec("BEGIN IMMEDIATE")
        for snapshot in snapshots {
            sqlite3_reset(insert)
            sqlite3_bind_text(insert, 1, snapshot.tenantID.rawValue, -1, zc_sqlite_transient())
            sqlite3_bind_text(insert, 2, snapshot.collectedAt.iso8601, -1, zc_sqlite_transient())
            sqlite3_bind_double(insert, 3, snapshot.cpuPct)
            sqlite3_bind_int64(insert, 4, snapshot.memBytes)
            sqlite3_bind_int64(insert, 5, snapshot.memLimit)
            sqlite3_bind_int64(insert, 6, snapshot.diskBytes)
            sqlite3_bind_int64(insert, 7, snapshot.netIn)
            sqlite3_bind_int64(insert, 8, snapshot.netOut)
            sqlite3_bind_int64(insert, 9, snapshot.pids)
            guard sqlite3_step(insert) == SQLITE_DONE else { throw BenchmarkError(String(cString: sqlite3_errmsg(db))) }
        }
        try exec("COMMIT")
    }

    /// Reads one tenant's range, decoding every column as the store would.
    func readRange(_ tenant: String, from: Timestamp, to: Timestamp) throws -> Int {
        var statement: OpaquePointer?
        sqlite3_prepare_v2(
            db,
            "SELECT timestamp, cpu_pct, mem_bytes, mem_limit, disk_bytes, net_in, net_out, pids FROM resource_snapshots WHERE tenant_id = ?1 AND timestamp >= ?2 AND timestamp <= ?3 ORDER BY timestamp",
            -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_text(statement, 1, tenant, -1, zc_sqlite_transient())
        sqlite3_bind_text(statement, 2, from.iso8601, -1, zc_sqlite_transient())
        sqlite3_bind_text(statement, 3, to.iso8601, -1, zc_sqlite_transient())
        var snapshots: [ResourceSnapshot] = []
        let id = TenantID(trusted: tenant)
        while sqlite3_step(statement) == SQLITE_ROW {
            // The time text is read but not parsed, so this side pays no date-parsing cost.
            let time = sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? ""
            snapshots.append(
                ResourceSnapshot(
                    tenantID: id, collectedAt: Timestamp(seconds: Int64(time.utf8.count)),
                    cpuPct: sqlite3_column_double(statement, 1), memBytes: sqlite3_column_int64(statement, 2),
                    memLimit: sqlite3_column_int64(statement, 3), diskBytes: sqlite3_column_int64(statement, 4),
                    netIn: sqlite3_column_int64(statement, 5), netOut: sqlite3_column_int64(statement, 6),
                    pids: sqlite3_column_int64(statement, 7)))
        }
        return snapshots.count
    }

    func checkpoint() throws { try exec("PRAGMA wal_checkpoint(TRUNCATE)") }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
