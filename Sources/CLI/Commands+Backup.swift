import Foundation
import ZCCore
import ZCPlatform

extension Commands {
    static func command(_ path: [String]) -> CommandSpec? { all.first { $0.path == path } }

    static func backup(_ arguments: ParsedArguments) async throws -> Int32 {
        let configuration = try configuration(arguments)
        guard let output = arguments.value("output") ?? configuration.backupDestination else {
            throw UsageError(
                message: "missing --output DIR (or s3://BUCKET/PREFIX/; backup.destination sets a default)",
                command: command(["backup"]))
        }
        let location = try ObjectLocation.isURL(output) ? ObjectLocation.parse(output, key: "--output") : nil
        // Credentials and the destination are checked before the database is read.
        let destination = try location.map {
            try ObjectStores.make($0, settings: configuration.objects, environment: ProcessInfo.processInfo.environment)
        }
        if let file = PluginRegistry.standard.databaseFile(of: configuration),
            !FileManager.default.fileExists(atPath: file.path)
        {
            throw CommandFailure("there is no database at \(file.path) to back up")
        }
        do {
            let status = try await backup(to: output, location: location, destination: destination, arguments)
            await destination?.shutdown()
            return status
        } catch {
            await destination?.shutdown()
            throw error
        }
    }

    private static func backup(
        to output: String, location: ObjectLocation?, destination: (any ObjectStore)?, _ arguments: ParsedArguments
    ) async throws -> Int32 {
        try await withStore(arguments, migrate: false) { store, configuration in
            let creator = BackupCreator(configuration: configuration, logger: logger(configuration, quiet: true))
            do {
                let work = try location.map { _ in try OffHostBackups.workDirectory() }
                defer { if let work { try? FileManager.default.removeItem(atPath: work) } }
                let result = try await creator.create(outputDirectory: work ?? output, store: store)
                var shown = result.path
                if let location, let destination {
                    shown = try await OffHostBackups.upload(result.path, to: destination, at: location)
                }
                await audit(
                    store,
                    detail: [
                        "outcome": "succeeded", "archive": .string((result.path as NSString).lastPathComponent),
                        "destination": .string(location?.description ?? "local"),
                        "bytes": .number(Double(result.bytes)),
                        "schema_version": .number(Double(result.manifest.schemaVersion)),
                    ])
                FileHandle.standardError.write(
                    Data(
                        "backup: \(shown) (\(result.bytes) bytes, schema \(result.manifest.schemaVersion), \(result.manifest.rowCounts["tenants"] ?? 0) tenants)\n"
                            .utf8))
                print(shown)
                return 0
            } catch {
                await audit(store, detail: ["outcome": "failed", "error": .string(ErrorText.describe(error))])
                throw error
            }
        }
    }

    /// Records the backup in the live database; a backup whose audit cannot be written still stands.
    static func audit(_ store: any Store, detail: [String: JSONValue]) async {
        _ = try? await store.withTransaction { transaction in
            try await transaction.appendAudit(NewAuditEvent(at: .now(), actor: "cli", action: "backup", detail: detail))
        }
    }

    static func backupVerify(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let archive = arguments.value("FILE") else {
            throw UsageError(
                message: "missing the archive: zcplatform backup verify FILE", command: command(["backup", "verify"]))
        }
        let configuration = try configuration(arguments)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "zcplatform-verify-\(getpid())-\(UUID().uuidString.prefix(8))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let fetched = try await fetch(archive, configuration)
        defer { if let fetched { try? FileManager.default.removeItem(atPath: fetched.work) } }
        let verified = try await BackupVerifier(
            configuration: configuration, logger: logger(configuration, quiet: true)
        )
        .verify(archive: fetched?.path ?? archive, into: work)
        let manifest = verified.manifest
        print(
            "ok: \(archive): created \(manifest.createdAt) by zcplatform \(manifest.platformVersion) on \(manifest.node), schema \(manifest.schemaVersion), \(manifest.rowCounts["tenants"] ?? 0) tenants, \(manifest.rowCounts["audit_log"] ?? 0) audit events"
        )
        return 0
    }

    static func backupPrune(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let output = arguments.value("output") else {
            throw UsageError(message: "missing --output DIR", command: command(["backup", "prune"]))
        }
        guard let text = arguments.value("keep-days") else {
            throw UsageError(message: "missing --keep-days N", command: command(["backup", "prune"]))
        }
        guard let days = Int(text) else {
            throw UsageError(
                message: "--keep-days must be a whole number of days, not '\(text)'",
                command: command(["backup", "prune"]))
        }
        let result = try BackupPruner.prune(directory: output, keepDays: days)
        for name in result.deleted { print("deleted \(name)") }
        FileHandle.standardError.write(
            Data("backup prune: \(result.deleted.count) deleted, \(result.kept.count) kept\n".utf8))
        return 0
    }

    /// An archive named by an object URL, fetched into a private directory (nil for a local file).
    static func fetch(
        _ archive: String, _ configuration: PlatformConfiguration
    ) async throws -> (work: String, path: String)? {
        guard ObjectLocation.isURL(archive) else { return nil }
        let work = try OffHostBackups.workDirectory()
        do {
            let path = try await OffHostBackups.download(
                archive, into: work, settings: configuration.objects, environment: ProcessInfo.processInfo.environment)
            return (work, path)
        } catch {
            try? FileManager.default.removeItem(atPath: work)
            throw error
        }
    }

    static func restore(_ arguments: ParsedArguments) async throws -> Int32 {
        guard let archive = arguments.value("archive") else {
            throw UsageError(message: "missing --archive FILE", command: command(["restore"]))
        }
        let configuration = try configuration(arguments)
        let fetched = try await fetch(archive, configuration)
        defer { if let fetched { try? FileManager.default.removeItem(atPath: fetched.work) } }
        let result = try await BackupRestorer(configuration: configuration, logger: logger(configuration, quiet: true))
            .restore(archive: fetched?.path ?? archive, force: arguments.has("force"))
        for file in result.keptAside { FileHandle.standardError.write(Data("restore: kept \(file)\n".utf8)) }
        let target = PluginRegistry.standard.describeStore(configuration)
        print(
            "restored \(archive) (created \(result.manifest.createdAt), schema \(result.manifest.schemaVersion) → \(result.schemaAfter)) into \(target)"
        )
        return 0
    }
}
