import ZCCore
import ZCCrypto

/// Copies every table of one store into another (SQLite → PostgreSQL as a node grows into a cluster,
/// or back), then verifies row counts and a SHA-256 of each table's rows on both sides.
///
/// The source is read inside one read transaction (one consistent snapshot) and never written. The
/// target must be empty unless `replace` is set, in which case its rows are deleted first.
public enum StoreCopier {
    public struct TableReport: Sendable, Hashable {
        public var table: String
        public var sourceRows: Int
        public var targetRows: Int
        public var sourceChecksum: String
        public var targetChecksum: String

        public var verified: Bool { sourceRows == targetRows && sourceChecksum == targetChecksum }
    }

    /// The target holds rows and `replace` was not asked for.
    public struct TargetNotEmpty: Error, PublicError, CustomStringConvertible {
        public let counts: [String: Int]
        public var failureKind: FailureKind { .conflict }
        public var publicMessage: String {
            let held = counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            return
                "the target store is not empty (\(held.joined(separator: ", "))); pass --force to replace its contents"
        }
        public var description: String { publicMessage }
    }

    /// Copies every table of `source` (read in one snapshot) into `target`, then compares row counts and
    /// checksums. With `atomically`, emptying the target and every insert happen in one write transaction
    /// (a restore: the target is either untouched or complete); otherwise in batches of `batchRows`.
    public static func copy(
        from source: SQLStore, to target: SQLStore, replace: Bool, batchRows: Int = 1_000, atomically: Bool = false,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> [TableReport] {
        let version = try await source.schemaVersion()
        guard version.applied == version.latest else {
            throw StoreError(
                .other,
                "the source store is at schema version \(version.applied), not \(version.latest); run `zcplatform migrate` on it first"
            )
        }
        try await target.migrate()
        // A new store holds its own instance id (platform_meta) from its migration: that is not data of
        // its own, and the source's replaces it.
        let held = try await target.read { try await $0.rowCounts() }.filter { $0.key != "platform_meta" }
        let mustEmpty = held.values.contains(where: { $0 > 0 })
        if mustEmpty && !replace { throw TargetNotEmpty(counts: held) }
        try await source.database.withConnection(write: false) { reader in
            try await reader.execute(source.dialect.beginRead, [])
            do {
                if atomically {
                    try await target.writeSession { session in
                        try await empty(session, all: mustEmpty)
                        for table in SQLTable.all {
                            let count = try await copy(table, from: reader, source.dialect, batchRows) { inserts in
                                _ = try await session.runMany(inserts)
                            }
                            try await resetIdentity(table, session)
                            progress("copied \(table.name): \(count) rows")
                        }
                    }
                } else {
                    try await target.writeSession { try await empty($0, all: mustEmpty) }
                    if mustEmpty { progress("emptied the target") }
                    for table in SQLTable.all {
                        let count = try await copy(table, from: reader, source.dialect, batchRows) { inserts in
                            try await target.writeSession { session in _ = try await session.runMany(inserts) }
                        }
                        try await target.writeSession { try await resetIdentity(table, $0) }
                        progress("copied \(table.name): \(count) rows")
                    }
                }
                try await reader.execute("COMMIT", [])
            } catch {
                _ = try? await reader.execute("ROLLBACK", [])
                throw error
            }
        }
        var reports: [TableReport] = []
        for table in SQLTable.all {
            let (sourceRows, sourceSum) = try await checksum(table, in: source, batchRows: batchRows)
            let (targetRows, targetSum) = try await checksum(table, in: target, batchRows: batchRows)
            reports.append(
                TableReport(
                    table: table.name, sourceRows: sourceRows, targetRows: targetRows, sourceChecksum: sourceSum,
                    targetChecksum: targetSum))
        }
        return reports
    }

    /// Deletes every row of every table (`all`), or only the target's own instance id.
    private static func empty(_ session: SQLWriteSession, all: Bool) async throws {
        for table in SQLTable.all.reversed() where all || table.name == "platform_meta" {
            try await session.run("DELETE FROM \(raw: table.name)")
        }
    }

    private static func resetIdentity(_ table: SQLTable, _ session: SQLWriteSession) async throws {
        if let identity = table.identity, let reset = session.dialect.resetIdentity {
            _ = try await session.connection.query(reset(table.name, identity), [])
        }
    }

    /// Pages through `table` in key order, handing each page's inserts to `write`.
    private static func copy(
        _ table: SQLTable, from reader: any SQLConnection, _ sourceDialect: SQLDialect, _ batchRows: Int,
        write: ([SQLQuery]) async throws -> Void
    ) async throws -> Int {
        var after: [SQLValue]?
        var total = 0
        while true {
            let (sql, binds) = table.page(after: after, limit: batchRows).render(sourceDialect)
            let rows = try await reader.query(sql, binds)
            guard let last = rows.last else { break }
            try await write(rows.map { table.insert($0.values) })
            total += rows.count
            after = try table.keyValues(of: last)
        }
        return total
    }

    /// The number of rows of `table` and a SHA-256 over their values in key order, the same for equal
    /// data in either store.
    public static func checksum(
        _ table: SQLTable, in store: SQLStore, batchRows: Int = 1_000
    ) async throws -> (
        rows: Int, digest: String
    ) {
        try await store.database.withConnection(write: false) { connection in
            try await connection.execute(store.dialect.beginRead, [])
            do {
                let hasher = StreamingSHA256()
                var after: [SQLValue]?
                var count = 0
                while true {
                    let (sql, binds) = table.page(after: after, limit: batchRows).render(store.dialect)
                    let rows = try await connection.query(sql, binds)
                    guard let last = rows.last else { break }
                    for row in rows {
                        var bytes: [UInt8] = []
                        for value in row.values { canonical(value, into: &bytes) }
                        hasher.update(bytes)
                    }
                    count += rows.count
                    after = try table.keyValues(of: last)
                }
                try await connection.execute("COMMIT", [])
                return (count, hasher.finish().hexString)
            } catch {
                _ = try? await connection.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    /// A type tag and the value's bytes: integers big-endian, reals by bit pattern, text and bytes with
    /// their length.
    static func canonical(_ value: SQLValue, into bytes: inout [UInt8]) {
        func append(_ number: UInt64) {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: number >> UInt64(shift)))
            }
        }
        switch value {
        case .null:
            bytes.append(0)
        case .integer(let number):
            bytes.append(1)
            append(UInt64(bitPattern: number))
        case .real(let number):
            bytes.append(2)
            append(number.isNaN ? Double.nan.bitPattern : number.bitPattern)
        case .text(let text):
            bytes.append(3)
            append(UInt64(text.utf8.count))
            bytes.append(contentsOf: text.utf8)
        case .blob(let blob):
            bytes.append(4)
            append(UInt64(blob.count))
            bytes.append(contentsOf: blob)
        }
    }
}
