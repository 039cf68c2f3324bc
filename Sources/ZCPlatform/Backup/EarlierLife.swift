import Foundation

/// Signs that a data directory had a database before: a vault key, tenant directories. A server that
/// finds such signs but no database must not start on a new, empty one: it would know no tenant, and
/// its reconciliation would treat every agent as a stranger. It refuses and says how to go on.
enum EarlierLife {
    /// What shows an earlier life beside the configured database; empty when nothing does.
    static func signs(_ configuration: PlatformConfiguration) -> [String] {
        var signs: [String] = []
        if BackupFiles.exists(configuration.vaultKeyPath) {
            signs.append("the vault key \(configuration.vaultKeyPath)")
        }
        let tenants =
            ((try? FileManager.default.contentsOfDirectory(atPath: configuration.runtime.dataDirectory)) ?? [])
            .filter { !$0.hasPrefix(".") }
        if !tenants.isEmpty {
            signs.append(
                "\(tenants.count) tenant director\(tenants.count == 1 ? "y" : "ies") in \(configuration.runtime.dataDirectory)"
            )
        }
        return signs
    }

    /// Throws when the database file does not exist but the data directory shows an earlier life.
    static func refuseEmptyDatabase(_ configuration: PlatformConfiguration, file: String) throws {
        guard !BackupFiles.exists(file) else { return }
        let signs = signs(configuration)
        guard !signs.isEmpty else { return }
        throw ConfigurationError(
            """
            \(file) does not exist, but \(signs.joined(separator: " and ")) do: this data \
            directory had a database, and starting on a new, empty one would lose every tenant. Restore the \
            newest backup (zcplatform restore --archive FILE), or, to start afresh on purpose, move the vault key \
            and the tenant directories aside first.
            """)
    }
}
