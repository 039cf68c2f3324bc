import Foundation
import ZCArchive
import ZCCore
import ZCCrypto

/// `zcplatform backup verify FILE` and the first half of every restore: reads the whole archive (gzip
/// and tar integrity), checks every file against the manifest's SHA-256 and size, runs a full
/// integrity check of the database inside, and compares its schema version and row counts with the
/// manifest and with this binary. Nothing outside `directory` is touched.
public struct BackupVerifier: Sendable {
    public struct Verified: Sendable {
        public let manifest: BackupManifest
        /// Where the archive's files were extracted.
        public let directory: String
        public var database: String { (directory as NSString).appendingPathComponent(BackupManifest.databaseEntry) }
        public var vaultKey: String { (directory as NSString).appendingPathComponent(BackupManifest.vaultKeyEntry) }
    }

    let configuration: PlatformConfiguration
    let registry: PluginRegistry
    let logger: Logger

    public init(configuration: PlatformConfiguration, registry: PluginRegistry = .standard, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
    }

    /// Extracts `archive` into the new directory `directory` and checks it; throws `BackupError` on the
    /// first problem.
    public func verify(archive: String, into directory: String) async throws -> Verified {
        guard BackupFiles.exists(archive) else { throw BackupError("\(archive) does not exist") }
        try BackupFiles.makePrivateDirectory(directory)
        let allowed: Set<String> = [
            BackupManifest.databaseEntry, BackupManifest.vaultKeyEntry, BackupManifest.manifestEntry,
        ]
        var manifestBytes: [UInt8] = []
        var files: [String: ArchiveFileSink] = [:]
        let entries: [(entry: TarGzReader.Entry, sha256: [UInt8])]
        do {
            let reader = try TarGzReader(path: archive)
            entries = try reader.readAll { entry, piece in
                guard allowed.contains(entry.name) else {
                    throw ArchiveError("the archive holds \(entry.name), which no zcplatform backup contains")
                }
                if entry.name == BackupManifest.manifestEntry {
                    guard manifestBytes.count + piece.count <= 1 << 20 else {
                        throw ArchiveError("the archive's manifest is implausibly large")
                    }
                    manifestBytes += piece
                    return
                }
                if files[entry.name] == nil {
                    files[entry.name] = try ArchiveFileSink(
                        path: (directory as NSString).appendingPathComponent(entry.name))
                }
                try files[entry.name]?.write(piece)
            }
            for sink in files.values { try sink.finish() }
        } catch let error as ArchiveError {
            throw BackupError("\(archive): \(error.description)")
        }
        let names = entries.map(\.entry.name)
        guard Set(names).count == names.count else { throw BackupError("\(archive): an entry appears twice") }
        guard names.last == BackupManifest.manifestEntry else {
            throw BackupError("\(archive): no manifest.json at the end; not a complete zcplatform backup")
        }
        let manifest = try BackupManifest.decode(manifestBytes)
        guard manifest.format == BackupManifest.currentFormat else {
            throw BackupError("\(archive): backup format \(manifest.format) is not one this zcplatform reads")
        }
        let present = Set(names).subtracting([BackupManifest.manifestEntry])
        guard present == Set(manifest.files.keys) else {
            throw BackupError(
                "\(archive): the files (\(present.sorted().joined(separator: ", "))) differ from the manifest's (\(manifest.files.keys.sorted().joined(separator: ", ")))"
            )
        }
        for (entry, digest) in entries where entry.name != BackupManifest.manifestEntry {
            guard let expected = manifest.files[entry.name] else { continue }
            guard expected.bytes == entry.size, expected.sha256 == BackupFiles.hex(digest) else {
                throw BackupError("\(archive): \(entry.name) does not match its checksum in the manifest")
            }
        }
        guard manifest.contents == "sqlite-database", present.contains(BackupManifest.databaseEntry) else {
            throw BackupError("\(archive): holds \(manifest.contents), which this zcplatform cannot restore")
        }
        let verified = Verified(manifest: manifest, directory: directory)
        try await checkDatabase(verified)
        do {
            _ = try VaultKeyFile.load(verified.vaultKey)
        } catch {
            throw BackupError("\(archive): the vault key inside cannot be read: \(error)")
        }
        return verified
    }

    private func checkDatabase(_ verified: Verified) async throws {
        let facts = try await BackupDatabase.inspect(
            verified.database, what: "the database inside", configuration: configuration, registry: registry,
            logger: logger)
        let version = facts.version
        guard version.applied <= version.latest, verified.manifest.schemaVersion <= version.latest else {
            throw BackupError(
                "the backup's schema version \(max(version.applied, verified.manifest.schemaVersion)) is newer than this zcplatform's (\(version.latest)); restore it with a newer zcplatform"
            )
        }
        guard version.applied == verified.manifest.schemaVersion else {
            throw BackupError(
                "the database inside is at schema \(version.applied), the manifest says \(verified.manifest.schemaVersion)"
            )
        }
        guard facts.rowCounts == verified.manifest.rowCounts else {
            throw BackupError("the database inside holds other row counts than its manifest records")
        }
    }
}

/// One extracted file, written as its pieces arrive.
final class ArchiveFileSink {
    let handle: FileHandle
    let path: String

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw ArchiveError("cannot create \(path)") }
        self.handle = handle
    }

    func write(_ piece: ArraySlice<UInt8>) throws {
        do {
            try handle.write(contentsOf: Data(piece))
        } catch {
            throw ArchiveError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    func finish() throws {
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ArchiveError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
