import Foundation
import ZCCore

/// Backup archives in an object store: `zcplatform backup --output s3://…` writes the archive locally
/// (in a private temporary directory), sends it, and removes the local copy; `restore --archive s3://…`
/// and `backup verify s3://…` fetch it (written by rename, so a cut download is never read) and go on
/// as with a file.
public enum OffHostBackups {
    /// Sends `archive` to `store` under its file name; returns the object's URL.
    public static func upload(
        _ archive: String, to store: any ObjectStore, at location: ObjectLocation
    ) async throws
        -> String
    {
        let name = (archive as NSString).lastPathComponent
        let key = try ObjectKey(name)
        let body = try ObjectBody.file(archive)
        try await store.put(key, body)
        guard let stored = try await store.head(key), stored.size == body.size else {
            throw ObjectStoreError(.unavailable, key: name, "the stored archive's size differs from the local one")
        }
        let base = location.description
        return base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// Fetches the archive at `url` (`s3://bucket/prefix/NAME` or `file:///dir/NAME`) into `directory`;
    /// returns the local path.
    public static func download(
        _ url: String, into directory: String, settings: PlatformConfiguration.Objects, environment: [String: String]
    ) async throws -> String {
        guard let slash = url.lastIndex(of: "/"), url.index(after: slash) < url.endIndex else {
            throw ConfigurationError("\(url.debugDescription) does not name an archive (it ends in /)")
        }
        let name = String(url[url.index(after: slash)...])
        let location = try ObjectLocation.parse(String(url[...slash]), key: "--archive")
        let key = try ObjectKey(name)
        let store = try ObjectStores.make(location, settings: settings, environment: environment)
        do {
            let path = try await download(key, from: store, into: directory)
            await store.shutdown()
            return path
        } catch {
            await store.shutdown()
            throw error
        }
    }

    private static func download(
        _ key: ObjectKey, from store: any ObjectStore, into directory: String
    ) async throws
        -> String
    {
        let name = key.path
        let path = directory + "/" + name
        let partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: partial)
        else {
            throw ObjectStoreError(.localFailure, key: name, "cannot write \(partial)")
        }
        do {
            for try await piece in try await store.get(key) { try handle.write(contentsOf: piece) }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(partial)
            throw error
        }
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw ObjectStoreError(.localFailure, key: name, "cannot rename \(partial) into place")
        }
        return path
    }

    /// A private directory for an archive on its way to or from an object store.
    public static func workDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "zcplatform-archive-\(getpid())-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }
}
