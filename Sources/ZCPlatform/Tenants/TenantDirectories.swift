import Foundation
import ZCCore

/// The tenants' data directories under `[runtime] data_dir`: `{data_dir}/{id}` is bound to
/// `/zeroclaw-data` and holds `.zeroclaw/config.toml`; a deleted tenant's directory moves to
/// `{data_dir}/.deleted/{id}.{unix seconds}` and is purged after the grace period.
struct TenantDirectories: Sendable {
    struct Failure: Error, HTTPStatusError, CustomStringConvertible {
        let message: String
        var httpStatus: Int { 500 }
        var publicMessage: String { message }
        var description: String { message }

        init(_ action: String, _ path: String, errno code: Int32 = errno) {
            message = "cannot \(action) \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Absolute: Docker binds only absolute paths.
    let root: String
    /// Give each directory to the tenant's uid (containers run as that uid); the process runtime runs
    /// agents as the platform's own user and keeps its ownership.
    let ownedByTenant: Bool

    init(root: String, ownedByTenant: Bool) {
        let absolute =
            root.hasPrefix("/")
            ? root : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(root)
        self.root = (absolute as NSString).standardizingPath
        self.ownedByTenant = ownedByTenant
    }

    func path(of id: TenantID) -> String { "\(root)/\(id.rawValue)" }
    var deletedRoot: String { "\(root)/.deleted" }

    /// Creates the tenant's directory and its `.zeroclaw` (mode 0700), owned by `uid` where tenants own
    /// theirs. An existing directory (a redeploy) keeps its contents.
    func prepare(_ id: TenantID, uid: Int) throws(Failure) -> String {
        try makeDirectory(root, mode: 0o711)
        let directory = path(of: id)
        for path in [directory, "\(directory)/.zeroclaw"] {
            try makeDirectory(path, mode: 0o700)
            if ownedByTenant, chown(path, uid_t(uid), gid_t(uid)) != 0 {
                throw Failure("give to uid \(uid)", path)
            }
        }
        return directory
    }

    /// Writes the agent's `config.toml` (mode 0600) by a rename, so the agent never reads half a file.
    func writeConfig(_ text: String, of id: TenantID, uid: Int) throws(Failure) {
        let final = "\(path(of: id))/.zeroclaw/config.toml"
        let temporary = "\(final).tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("create", temporary) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let code = errno
                close(fd)
                unlink(temporary)
                throw Failure("write", temporary, errno: code)
            }
            written += count
        }
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            unlink(temporary)
            throw Failure("sync", temporary, errno: code)
        }
        close(fd)
        if ownedByTenant, chown(temporary, uid_t(uid), gid_t(uid)) != 0 {
            let code = errno
            unlink(temporary)
            throw Failure("give to uid \(uid)", temporary, errno: code)
        }
        guard rename(temporary, final) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure("replace", final, errno: code)
        }
    }

    /// Moves the tenant's directory aside; nil when it has none.
    func moveAside(_ id: TenantID, at time: Timestamp) throws(Failure) -> String? {
        let directory = path(of: id)
        guard access(directory, F_OK) == 0 else { return nil }
        try makeDirectory(deletedRoot, mode: 0o700)
        let target = "\(deletedRoot)/\(id.rawValue).\(time.seconds)"
        guard rename(directory, target) == 0 else { throw Failure("move aside", directory) }
        return target
    }

    /// Puts a directory moved aside back (a delete whose database change failed).
    func restore(_ moved: String, to id: TenantID) {
        _ = rename(moved, path(of: id))
    }

    /// Removes the directories of tenants deleted before `cutoff`; returns what it removed.
    func purge(deletedBefore cutoff: Timestamp) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: deletedRoot) else { return [] }
        var removed: [String] = []
        for name in names {
            guard let dot = name.lastIndex(of: "."), let seconds = Int64(name[name.index(after: dot)...]),
                seconds < cutoff.seconds
            else { continue }
            let path = "\(deletedRoot)/\(name)"
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(path) }
        }
        return removed
    }

    private func makeDirectory(_ path: String, mode: mode_t) throws(Failure) {
        if mkdir(path, mode) != 0 {
            guard errno == EEXIST else {
                if errno == ENOENT {
                    do {
                        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                        chmod(path, mode)
                        return
                    } catch {
                        throw Failure("create", path, errno: ENOENT)
                    }
                }
                throw Failure("create", path)
            }
        }
    }
}
