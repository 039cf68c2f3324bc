import ZCCore
import ZCSQL

/// `zcplatform migrate-store --from A --to B [--force]`: copies every table from one store to another
/// and verifies counts and checksums. Each side is a SQLite file path or a `postgres://` URL.
public enum StoreMigration {
    /// Opens the store a locator names, without migrating it, through the registry's drivers.
    public static func open(
        _ locator: String, registry: PluginRegistry = .standard, logger: Logger
    ) async throws -> any SQLBackedStore {
        let base = try PlatformConfiguration.defaults(context: .detect())
        let store = try await registry.openStore(base, at: locator, logger: logger)
        guard let sql = store as? any SQLBackedStore else {
            await store.close()
            throw ConfigurationError("the \(store.driver) store cannot be copied by migrate-store")
        }
        return sql
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
        let from = try await open(source, logger: logger)
        do {
            let to = try await open(target, logger: logger)
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
