import Foundation
import ZCArchive
import ZCCore

/// `zcplatform backup --output DIR`: a consistent snapshot of the database taken while the server runs,
/// the vault key and a manifest with checksums, in `DIR/zcplatform-backup-YYYY-MM-DD-HHMMSS.tar.gz`.
/// The archive is written under a hidden temporary name and renamed only when complete and on disk, so
/// a backup killed at any point leaves no partial archive under the final name.
public struct BackupCreator: Sendable {
    public struct Result: Sendable {
        public let path: String
        public let bytes: Int64
        public let manifest: BackupManifest
    }

    let configuration: PlatformConfiguration
    let registry: PluginRegistry
    let logger: Logger

    public init(configuration: PlatformConfiguration, registry: PluginRegistry = .standard, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
    }

    /// Writes the archive; `store` is the live store (its snapshot is taken while it keeps serving).
    public func create(outputDirectory: String, store: any Store, now: Date = Date()) async throws -> Result {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw BackupError("the output directory \(outputDirectory) does not exist") }
        guard access(outputDirectory, W_OK) == 0 else {
            throw BackupError("the output directory \(outputDirectory) is not writable")
        }
        guard let backup = store as? any Store & StoreBackup else {
            throw BackupError("the \(store.driver) store cannot be backed up by this build")
        }
        let name = BackupFiles.archiveName(at: now)
        let final = (outputDirectory as NSString).appendingPathComponent(name)
        guard !BackupFiles.exists(final) else { throw BackupError("\(final) already exists") }
        let stamp = BackupFiles.stamp(now, format: "yyyyMMdd-HHmmss")
        let work = (outputDirectory as NSString).appendingPathComponent(".zcplatform-backup-\(stamp)-\(getpid()).work")
        let partial = (outputDirectory as NSString).appendingPathComponent(".\(name).\(getpid()).partial")
        try BackupFiles.makePrivateDirectory(work)
        defer { BackupFiles.removeTree(work) }
        do {
            let snapshot = (work as NSString).appendingPathComponent(BackupManifest.databaseEntry)
            // A database file on this host is snapshotted whole; a server's is exported row by row.
            if registry.databaseFile(of: configuration) != nil {
                try await backup.snapshot(to: snapshot)
            } else {
                try await BackupExport.export(
                    store, to: snapshot, configuration: configuration, registry: registry, logger: logger)
            }
            let facts = try await BackupDatabase.inspect(
                snapshot, what: "the snapshot", configuration: configuration, registry: registry, logger: logger)
            let (schema, counts) = (facts.version.applied, facts.rowCounts)
            let keyPath = configuration.vaultKeyPath
            guard BackupFiles.exists(keyPath) else {
                throw BackupError(
                    "the vault key file \(keyPath) does not exist; a backup without it cannot open secrets")
            }
            let archive = try TarGzWriter(creating: partial)
            let mtime = Int64(now.timeIntervalSince1970)
            var files: [String: BackupManifest.FileEntry] = [:]
            let database = try archive.addFile(BackupManifest.databaseEntry, from: snapshot, modificationTime: mtime)
            files[BackupManifest.databaseEntry] = .init(sha256: BackupFiles.hex(database.sha256), bytes: database.bytes)
            let key = try archive.addFile(BackupManifest.vaultKeyEntry, from: keyPath, modificationTime: mtime)
            files[BackupManifest.vaultKeyEntry] = .init(sha256: BackupFiles.hex(key.sha256), bytes: key.bytes)
            let manifest = BackupManifest(
                format: BackupManifest.currentFormat, platformVersion: Platform.version, schemaVersion: schema,
                createdAt: Timestamp(seconds: Int64(now.timeIntervalSince1970)).iso8601, storeDriver: store.driver,
                node: configuration.cluster.nodeID, contents: "sqlite-database", files: files,
                rowCounts: counts)
            try archive.addData(BackupManifest.manifestEntry, try manifest.encoded(), modificationTime: mtime)
            try archive.finish()
            try BackupFiles.rename(partial, to: final)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: final)[.size] as? NSNumber)?.int64Value ?? 0
            return Result(path: final, bytes: bytes, manifest: manifest)
        } catch {
            BackupFiles.removeTree(partial)
            throw error
        }
    }
}
