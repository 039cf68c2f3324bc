import PostgresStore
import SQLiteStore
import ZCCore
import ZCSQL

/// `zcplatform migrate-store --from A --to B [--force]`: copies every table from one store to another
/// and verifies counts and checksums. Each side is a SQLite file path or a `postgres://` URL.
public enum StoreMigration {
    /// Opens the store a locator names, without migrating it.
    public static func open(_ locator: String, logger: Logger) throws -> any SQLBackedStore {
        if locator.hasPrefix("postgres://") || locator.hasPrefix("postgresql://") {
            return PostgresStore(options: PostgresOptions(url: locator, poolSize: 2), logger: logger)
        }
        guard !locator.isEmpty else { throw ConfigurationError("a store must be a SQLite path or a postgres:// URL") }
        return try SQLiteStore(options: SQLiteOptions(path: locator, readers: 1), logger: logger)
    }

    /// How a locator may be shown: a URL's userinfo and query redacted.
    public static func describe(_ locator: String) -> String {
        locator.contains("://") ? URLRedaction.redacting(locator) : locator
    }

    public static func run(
        from source: String, to target: String, replace: Bool, logger: Logger,
        progress: @escaping @Sendable (String) -> Void
    ) async throws -> [StoreCopier.TableReport] {
        guard source != target else { throw ConfigurationError("--from and --to name the same store") }
        let from = try open(source, logger: logger)
        do {
            let to = try open(target, logger: logger)
            do {
                let reports = try await StoreCopier.copy(
                    from: from.sqlStore, to: to.sqlStore, replace: replace, progress: progress)
                await to.close()
                await from.close()
                return reports
            } catch {
                await to.close()
                throw error
            }
        } catch {
            await from.close()
            throw error
        }
    }
}
