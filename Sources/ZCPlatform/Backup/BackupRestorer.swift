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
    let registry: DriverRegistry
    let logger: Logger

    public init(configuration: PlatformConfiguration, registry: DriverRegistry = .standard, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
    }

    public func restore(
        archive: String, force: Bool, actor: String = "cli", now: Date = Date()
    ) async throws
        -> Result
    {
        guard configuration.store.driver == "sqlite" else {
            return try await restoreIntoServer(archive: archive, force: force, actor: actor, now: now)
        }
        let database = configuration.store.path
        if let holder = ServerLock.holder(ofDatabase: database), !force {
            throw BackupError(
                "a running zcplatform server\(holder > 0 ? " (pid \(holder))" : "") holds \(database); stop it first (systemctl stop zcplatform), or pass --force"
            )
        }
        let directory = (database as NSString).deletingLastPathComponent
        let base = directory.isEmpty ? "." : directory
        // The work directory sits beside the database (one filesystem, so the swap is a rename); a
        // directory made for it goes again when the archive is refused.
        let madeDirectory = !BackupFiles.exists(base)
        try FileManager.default.createDirectory(
            atPath: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stamp = BackupFiles.stamp(now, format: "yyyyMMdd'T'HHmmss'Z'")
        let work = (base as NSString).appendingPathComponent(".zcplatform-restore-\(stamp)-\(getpid())")
        defer { BackupFiles.removeTree(work) }
        // Everything is checked before anything is touched.
        let verified: BackupVerifier.Verified
        do {
            verified = try await BackupVerifier(configuration: configuration, registry: registry, logger: logger)
                .verify(archive: archive, into: work)
        } catch {
            BackupFiles.removeTree(work)
            if madeDirectory { BackupFiles.removeTree(base) }
            throw error
        }
        let schemaBefore = try await currentSchema()
        var keptAside: [String] = []
        for suffix in ["", "-wal", "-shm"] where BackupFiles.exists(database + suffix) {
            let aside = "\(database)\(suffix).pre-restore-\(stamp)"
            try BackupFiles.rename(database + suffix, to: aside)
            keptAside.append(aside)
        }
        try BackupFiles.rename(verified.database, to: database)
        keptAside += try swapKey(verified, stamp: stamp)
        // Migrate an older schema forward, and record the restore in the restored database.
        let store = try await registry.makeStore(configuration, logger: logger)
        do {
            try await store.migrate()
            let after = try await record(archive, verified, keptAside: keptAside, actor: actor, in: store)
            await store.close()
            return Result(
                manifest: verified.manifest, keptAside: keptAside, schemaBefore: schemaBefore, schemaAfter: after)
        } catch {
            await store.close()
            throw error
        }
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
        let store = try await registry.makeStore(configuration, logger: logger)
        do {
            try await store.migrate()
            let recent = Timestamp.now().adding(seconds: -3 * Int64(configuration.cluster.heartbeatSeconds))
            let running = try await store.read { try await $0.nodes() }.filter { $0.lastSeenAt >= recent }
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
            let after = try await record(archive, verified, keptAside: keptAside, actor: actor, in: store)
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
        try move(verified.vaultKey, to: key)
        return keptAside
    }

    /// Records the restore in the restored database; returns its schema version.
    private func record(
        _ archive: String, _ verified: BackupVerifier.Verified, keptAside: [String], actor: String,
        in store: any Store
    ) async throws -> Int {
        let after = try await store.schemaVersion().applied
        let detail: [String: JSONValue] = [
            "archive": .string((archive as NSString).lastPathComponent),
            "created_at": .string(verified.manifest.createdAt),
            "schema_from": .number(Double(verified.manifest.schemaVersion)), "schema_to": .number(Double(after)),
            "kept_aside": .array(keptAside.map { .string(($0 as NSString).lastPathComponent) }),
        ]
        try await store.withTransaction { transaction in
            try await transaction.appendAudit(
                NewAuditEvent(at: .now(), actor: actor, action: "restore", detail: detail))
        }
        return after
    }

    /// The schema of the database about to be replaced (0 when there is none).
    private func currentSchema() async throws -> Int {
        guard BackupFiles.exists(configuration.store.path) else { return 0 }
        let store = try await registry.makeStore(configuration, logger: logger)
        let version = try? await store.schemaVersion().applied
        await store.close()
        return version ?? 0
    }

    /// Renames, or copies then renames where the target is on another filesystem.
    private func move(_ source: String, to target: String) throws {
        if rename(source, target) == 0 {
            BackupFiles.syncDirectory(of: target)
            return
        }
        guard errno == EXDEV else {
            throw BackupError("cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
        }
        let temporary = "\(target).restore-\(getpid())"
        try BackupFiles.copy(source, to: temporary)
        try BackupFiles.rename(temporary, to: target)
    }
}
