import ZCCore
import ZCSQL

/// The SQLite file a backup holds (a snapshot, an export, or one extracted for a restore): opened through
/// the registry's SQLite driver, and read for what backup and restore check.
enum BackupDatabase {
    /// What a backup database says about itself.
    struct Facts: Sendable {
        let version: SchemaVersion
        let rowCounts: [String: Int]
    }

    /// Opens the SQLite file `path` (created when missing) with one reader.
    static func open(
        _ path: String, configuration: PlatformConfiguration, registry: PluginRegistry, logger: Logger
    ) async throws -> any SQLBackedStore & StoreMaintenance & StoreBackup {
        let store = try await registry.openStore(configuration, at: path, logger: logger)
        guard let opened = store as? any SQLBackedStore & StoreMaintenance & StoreBackup else {
            await store.close()
            throw BackupError("this build's SQLite store cannot hold a backup")
        }
        return opened
    }

    /// A full integrity check, then the schema version and row counts; `what` names the file in errors
    /// ("the snapshot", "the database inside").
    static func inspect(
        _ path: String, what: String, configuration: PlatformConfiguration, registry: PluginRegistry, logger: Logger
    ) async throws -> Facts {
        let store = try await open(path, configuration: configuration, registry: registry, logger: logger)
        do {
            let problems: [String]
            do {
                problems = try await store.integrityCheck()
            } catch {
                throw BackupError("\(what) cannot be read: \(error)")
            }
            guard problems.isEmpty else {
                throw BackupError(
                    "\(what) failed PRAGMA integrity_check: \(problems.prefix(3).joined(separator: "; "))")
            }
            let facts = Facts(version: try await store.schemaVersion(), rowCounts: try await store.tableRowCounts())
            await store.close()
            return facts
        } catch {
            await store.close()
            throw error
        }
    }
}
