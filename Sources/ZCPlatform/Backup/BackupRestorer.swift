import Foundation
import ZCCore

/// `zcplatform restore --archive FILE [--force]`: verifies the archive completely before touching
/// anything; refuses while a server holds the database unless forced; keeps the replaced database and
/// key beside them as `…pre-restore-<time>`; swaps the files in by rename; migrates an older schema
/// forward; records a `restore` audit event.
public struct BackupRestorer: Sendable {
    public struct Result: Sendable {
        public let manifest: BackupManifest
        /// The files the restore moved aside (nothing is deleted).
        public let keptAside: [String]
        public let schemaBefore: Int
        public let schemaAfter: Int
    }

    let configuration: PlatformConfiguration
    let registry: PluginRegistry
    let logger: Logger

    public init(configuration: PlatformConfiguration, registry: PluginRegistry = .standard, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
    }

    public func restore(
        archive: String, force: Bool, actor: String = "cli", now: Date = Date()
    ) async throws
        -> Result
    {
        guard let file = registry.databaseFile(of: configuration) else {
            return try await restoreIntoServer(archive: archive, force: force, actor: actor, now: now)
        }
        let database = file.path
        if let holder = file.driver.holder(database), !force {
            throw BackupError(
                "a running zcplatform server\(holder > 0 ? " (pid \(holder))" : "") holds \(database); stop it first (systemctl stop zcplatform), or pass --force"
            )
        }
        let directory = (database as NSString).deletingLastPathComponent
        let base = directory.isEmpty ? "." : directory
        // Held for the whole restore, so no server starts on the files while they move (forced: a server
        // holds it, and the operator said so).
        let lock: (any Sendable)? = force || !BackupFiles.exists(base) ? nil : try file.driver.lock(database)
        defer { withExtendedLifetime(lock) {} }
        // A restore cut short before is finished first: the files are then the ones it restored.
        try await finishInterrupted()
        // The work directory sits beside the database (one filesystem, so the swap is a rename); a
        // directory made for it goes again when the archive is refused.
        let madeDirectory = !BackupFiles.exists(base)
        try FileManager.default.createDirectory(
            atPath: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = BackupFiles.stamp(now, format: "yyyyMMdd'T'HHmmss'Z'")
        let work = (base as NSString).appendingPathComponent(".zcplatform-restore-\(stamp)-\(getpid())")
        // Everything is checked before anything is touched.
        let verified: BackupVerifier.Verified
        let schemaBefore: Int
        do {
            verified = try await BackupVerifier(configuration: configuration, registry: registry, logger: logger)
                .verify(archive: archive, into: work)
            schemaBefore = try await currentSchema()
        } catch {
            BackupFiles.removeTree(work)
            if madeDirectory { BackupFiles.removeTree(base) }
            throw error
        }
        // From here a crash at any point is finished by the next `serve` or `restore` (RestoreJournal).
        let journal = RestoreJournal(
            database: database, key: configuration.vaultKeyPath, newDatabase: verified.database,
            newKey: verified.vaultKey, work: work, stamp: stamp, archive: (archive as NSString).lastPathComponent,
            archiveCreatedAt: verified.manifest.createdAt, schemaFrom: verified.manifest.schemaVersion, actor: actor)
        try journal.write()
        Self.reached("journal")
        let keptAside = try journal.swap(reached: Self.reached)
        let after = try await complete(journal, keptAside: keptAside)
        return Result(
            manifest: verified.manifest, keptAside: keptAside, schemaBefore: schemaBefore, schemaAfter: after)
    }

    /// Finishes a restore of the configured database file (SQLite) that was cut short (a journal beside it), and
    /// removes the work directories restores left behind; true when there was one to finish.
    @discardableResult
    public func finishInterrupted() async throws -> Bool {
        guard let database = registry.databaseFile(of: configuration)?.path else { return false }
        let journal = try RestoreJournal.load(forDatabase: database)
        if let journal {
            logger.warning(
                "restore.interrupted",
                ["archive": journal.archive, "detail": "a restore was cut short; finishing it before anything else"])
            let keptAside = try journal.swap(reached: Self.reached)
            _ = try await complete(journal, keptAside: keptAside)
            logger.notice("restore.finished", ["archive": journal.archive])
        }
        // Work directories of restores refused, or killed before their journal was written.
        let directory = (database as NSString).deletingLastPathComponent
        let base = directory.isEmpty ? "." : directory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        where name.hasPrefix(".zcplatform-restore-") {
            BackupFiles.removeTree((base as NSString).appendingPathComponent(name))
        }
        return journal != nil
    }

    /// After the swap: migrates the restored database forward, records the restore in it, then removes
    /// the journal and the work directory. Returns the schema version.
    private func complete(_ journal: RestoreJournal, keptAside: [String]) async throws -> Int {
        let store = try await registry.openStore(configuration, logger: logger)
        do {
            try await store.migrate()
            Self.reached("migrated")
            // Recorded once: a restore finished at start after being killed past this point is not again.
            let recorded = try await store.read { reader in
                try await reader.auditEvents(AuditQuery(action: "restore", limit: 20)).events
            }.contains { $0.detail["restore_id"] == .string(journal.stamp) }
            let after =
                recorded
                ? try await store.schemaVersion().applied
                : try await record(
                    journal.archive, createdAt: journal.archiveCreatedAt, schemaFrom: journal.schemaFrom,
                    keptAside: keptAside, actor: journal.actor, restoreID: journal.stamp, in: store)
            Self.reached("recorded")
            await store.close()
            journal.remove()
            BackupFiles.removeTree(journal.work)
            return after
        } catch {
            await store.close()
            throw error
        }
    }

    /// Tests stop a restore between two steps (`ZC_RESTORE_CRASH_AFTER=<step>`) with SIGKILL, as a
    /// crash or a power cut would.
    static let crashAfter = ProcessInfo.processInfo.environment["ZC_RESTORE_CRASH_AFTER"]

    static func reached(_ step: String) {
        if step == crashAfter { kill(getpid(), SIGKILL) }
    }

    /// A server database (PostgreSQL): refuses while any node has been seen recently, unless forced;
    /// exports the current data to `zcplatform-pre-restore-<time>.db` beside the vault key; then replaces
    /// every table's rows with the archive's (verified by checksums) and swaps the key.
    private func restoreIntoServer(archive: String, force: Bool, actor: String, now: Date) async throws -> Result {
        let directory = (configuration.vaultKeyPath as NSString).deletingLastPathComponent
        let base = directory.isEmpty ? "." : directory
        try FileManager.default.createDirectory(
            atPath: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = BackupFiles.stamp(now, format: "yyyyMMdd'T'HHmmss'Z'")
        let work = (base as NSString).appendingPathComponent(".zcplatform-restore-\(stamp)-\(getpid())")
        defer { BackupFiles.removeTree(work) }
        let verified = try await BackupVerifier(configuration: configuration, registry: registry, logger: logger)
            .verify(archive: archive, into: work)
        let store = try await registry.openStore(configuration, logger: logger)
        do {
            try await store.migrate()
            let recent = Timestamp.now().adding(seconds: -3 * Int64(configuration.cluster.heartbeatSeconds))
            let running = try await store.read { try await $0.nodes() }.filter {
                $0.state != .down && $0.lastHeartbeat >= recent
            }
            if !running.isEmpty && !force {
                throw BackupError(
                    "zcplatform servers are running on this database (\(running.map(\.id).sorted().joined(separator: ", "))); stop them first, or pass --force"
                )
            }
            let schemaBefore = try await store.schemaVersion().applied
            let aside = (base as NSString).appendingPathComponent("zcplatform-pre-restore-\(stamp).db")
            try await BackupExport.export(
                store, to: aside, configuration: configuration, registry: registry, logger: logger)
            var keptAside = [aside]
            try await BackupExport.load(
                from: verified.database, into: store, configuration: configuration, registry: registry, logger: logger)
            keptAside += try swapKey(verified, stamp: stamp)
            let after = try await record(
                archive, createdAt: verified.manifest.createdAt, schemaFrom: verified.manifest.schemaVersion,
                keptAside: keptAside, actor: actor, in: store)
            await store.close()
            return Result(
                manifest: verified.manifest, keptAside: keptAside, schemaBefore: schemaBefore, schemaAfter: after)
        } catch {
            await store.close()
            throw error
        }
    }

    /// Moves the current vault key aside (when there is one) and the archive's into its place; returns what
    /// was kept aside.
    private func swapKey(_ verified: BackupVerifier.Verified, stamp: String) throws -> [String] {
        let key = configuration.vaultKeyPath
        var keptAside: [String] = []
        if BackupFiles.exists(key) {
            let aside = "\(key).pre-restore-\(stamp)"
            try BackupFiles.rename(key, to: aside)
            keptAside.append(aside)
        }
        try BackupFiles.move(verified.vaultKey, to: key)
        return keptAside
    }

    /// Records the restore in the restored database; returns its schema version.
    private func record(
        _ archive: String, createdAt: String, schemaFrom: Int, keptAside: [String], actor: String,
        restoreID: String? = nil, in store: any Store
    ) async throws -> Int {
        let after = try await store.schemaVersion().applied
        var detail: [String: JSONValue] = [
            "archive": .string((archive as NSString).lastPathComponent), "created_at": .string(createdAt),
            "schema_from": .number(Double(schemaFrom)), "schema_to": .number(Double(after)),
            "kept_aside": .array(keptAside.map { .string(($0 as NSString).lastPathComponent) }),
        ]
        if let restoreID { detail["restore_id"] = .string(restoreID) }
        let recorded = detail
        try await store.withTransaction { transaction in
            try await transaction.appendAudit(
                NewAuditEvent(at: .now(), actor: actor, action: "restore", detail: recorded))
        }
        return after
    }

    /// The schema of the database about to be replaced (0 when there is none).
    private func currentSchema() async throws -> Int {
        guard let file = registry.databaseFile(of: configuration), BackupFiles.exists(file.path) else { return 0 }
        let store = try await registry.openStore(configuration, logger: logger)
        let version = try? await store.schemaVersion().applied
        await store.close()
        return version ?? 0
    }
}
