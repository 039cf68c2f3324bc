import Foundation
import ZCCore
import ZCSQL

/// A server database's backup: every table read through the driver in one consistent read snapshot
/// (REPEATABLE READ on PostgreSQL) and written into a new SQLite file with the same schema, verified by
/// row counts and checksums. The archive then holds a SQLite database whatever the source, so one
/// restores into either store.
enum BackupExport {
    /// Copies `store` into the new SQLite file `path`.
    static func export(
        _ store: any Store, to path: String, configuration: PlatformConfiguration, registry: PluginRegistry,
        logger: Logger
    ) async throws {
        guard let source = store as? any SQLBackedStore else {
            throw BackupError("the \(store.driver) store cannot be exported by this build")
        }
        let target = try await BackupDatabase.open(
            path, configuration: configuration, registry: registry, logger: logger)
        do {
            let reports = try await StoreCopier.copy(from: source.sqlStore, to: target.sqlStore, replace: false)
            await target.close()
            if let bad = reports.first(where: { !$0.verified }) {
                throw BackupError(
                    "the export of \(bad.table) does not match the source (\(bad.sourceRows) rows, \(bad.targetRows) copied)"
                )
            }
        } catch {
            await target.close()
            throw error
        }
    }

    /// Copies the SQLite file `path` into `store`, replacing everything it holds, and verifies the copy.
    static func load(
        from path: String, into store: any Store, configuration: PlatformConfiguration, registry: PluginRegistry,
        logger: Logger
    ) async throws {
        guard let target = store as? any SQLBackedStore else {
            throw BackupError("the \(store.driver) store cannot be loaded by this build")
        }
        let source = try await BackupDatabase.open(
            path, configuration: configuration, registry: registry, logger: logger)
        do {
            // A backup from an older schema is brought forward before its rows are copied.
            try await source.migrate()
            let reports = try await StoreCopier.copy(
                from: source.sqlStore, to: target.sqlStore, replace: true, atomically: true)
            await source.close()
            if let bad = reports.first(where: { !$0.verified }) {
                throw BackupError("the restored \(bad.table) does not match the archive")
            }
        } catch {
            await source.close()
            throw error
        }
    }
}
