import Glibc

/// An open directory of a tenant's tree, or the directory holding the trees. Everything below it is
/// reached relative to its descriptor: opened with `O_NOFOLLOW|O_DIRECTORY`, created with `mkdirat`,
/// owned with `fchown`, replaced with `renameat`, removed with `unlinkat`. No path a tenant can redirect
/// (a symbolic link it planted) is ever resolved, so nothing the platform does as root lands outside
/// the tree.
public final class DirectoryHandle {
    public let descriptor: Int32
    /// Where it is inside the tree, for messages (`.zeroclaw`); never a host path.
    public let path: String
    /// Where it is on the host, for the log only.
    public let hostPath: String

    init(descriptor: Int32, path: String, hostPath: String) {
        self.descriptor = descriptor
        self.path = path
        self.hostPath = hostPath
    }

    deinit { close(descriptor) }

    /// Opens a directory the operator configured (the tenants' root), creating it and its parents with
    /// `mode` when missing. Links in this path are the operator's and are followed; nothing below is.
    /// - Parameter name: how messages call it (`the tenants' directory`).
    public static func openConfigured(
        _ hostPath: String, name: String, creatingWith mode: mode_t? = nil
    ) throws
        -> DirectoryHandle
    {
        var descriptor = open(hostPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor < 0, errno == ENOENT, let mode {
            try createParents(hostPath, name: name, mode: mode)
            descriptor = open(hostPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw TenantTreeFailure("open", path: name, hostPath: hostPath) }
        return DirectoryHandle(descriptor: descriptor, path: name, hostPath: hostPath)
    }

    private static func createParents(_ hostPath: String, name: String, mode: mode_t) throws {
        var prefix = hostPath.hasPrefix("/") ? "" : "."
        let parts = hostPath.split(separator: "/")
        for (index, part) in parts.enumerated() {
            prefix += "/\(part)"
            let last = index == parts.count - 1
            if mkdir(prefix, last ? mode : 0o755) != 0, errno != EEXIST {
                throw TenantTreeFailure("create", path: name, hostPath: prefix)
            }
            if last { _ = chmod(prefix, mode) }
        }
    }

    /// A directory entry as `fstatat(AT_SYMLINK_NOFOLLOW)` sees it.
    public struct Entry: Sendable, Hashable {
        public var kind: FileKind
        public var links: Int
        public var owner: UInt32
        public var size: Int64
    }

    /// The entry `name`, never following a link; nil when there is none.
    public func entry(_ name: String) -> Entry? {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return Entry(
            kind: FileKind(mode: info.st_mode), links: Int(info.st_nlink), owner: info.st_uid, size: Int64(info.st_size)
        )
    }

    /// `path/name` inside the tree, for messages.
    public func inside(_ name: String) -> String { path.isEmpty || path.hasPrefix("the ") ? name : "\(path)/\(name)" }
    func onHost(_ name: String) -> String { "\(hostPath)/\(name)" }

    /// Creates the directory `name` with `mode` unless an entry of that name exists; true when created.
    @discardableResult
    public func makeDirectory(_ name: String, mode: mode_t) throws -> Bool {
        if mkdirat(descriptor, name, mode) == 0 { return true }
        guard errno == EEXIST else { throw TenantTreeFailure("create", path: inside(name), hostPath: onHost(name)) }
        return false
    }

    /// Opens the directory `name` below this one. A symbolic link, or anything else that is not a
    /// directory, is refused: it is never followed.
    /// - Parameter displayedAs: its path in messages (`""` for the top of a tenant's tree); by default
    ///   `path/name`.
    public func openDirectory(_ name: String, displayedAs: String? = nil) throws -> DirectoryHandle {
        let child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else {
            let code = errno
            if code == ELOOP || code == ENOTDIR, let entry = entry(name) {
                throw TenantTreeRefusal(path: inside(name), found: entry.kind.withArticle, expected: .directory)
            }
            throw TenantTreeFailure("open", path: inside(name), hostPath: onHost(name), code: code)
        }
        return DirectoryHandle(descriptor: child, path: displayedAs ?? inside(name), hostPath: onHost(name))
    }

    /// Gives this directory itself to `uid:gid` (`fchown` on the open descriptor: no path is resolved).
    public func setOwner(uid: UInt32, gid: UInt32) throws {
        guard fchown(descriptor, uid, gid) == 0 else {
            throw TenantTreeFailure(
                "give to uid \(uid)", path: path.isEmpty ? "the tenant's directory" : path,
                hostPath: hostPath)
        }
    }

    /// Replaces the regular file `name` with `contents` through a temporary file and `renameat`, so a
    /// reader never sees half a file and a link planted at `name` is never written through. What stands at
    /// `name` must be a regular file with one link (or nothing): anything else is refused.
    public func replaceFile(
        _ name: String, contents: [UInt8], mode: mode_t, owner: (uid: UInt32, gid: UInt32)?
    )
        throws
    {
        if let existing = entry(name) {
            guard existing.kind == .regularFile else {
                throw TenantTreeRefusal(path: inside(name), found: existing.kind.withArticle, expected: .regularFile)
            }
            guard existing.links == 1 else {
                throw TenantTreeRefusal(
                    path: inside(name), found: "a file with \(existing.links) hard links", expected: .regularFile)
            }
        }
        let temporary = "\(name).zcplatform-new"
        // A leftover of a crash, or something planted: the entry goes, whatever it points to stays.
        if unlinkat(descriptor, temporary, 0) != 0, errno == EISDIR,
            let entry = entry(temporary)
        {
            throw TenantTreeRefusal(path: inside(temporary), found: entry.kind.withArticle, expected: .regularFile)
        }
        let file = openat(descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard file >= 0 else {
            throw TenantTreeFailure("create", path: inside(temporary), hostPath: onHost(temporary))
        }
        func fail(_ operation: String) -> TenantTreeFailure {
            let code = errno
            close(file)
            unlinkat(descriptor, temporary, 0)
            return TenantTreeFailure(operation, path: inside(name), hostPath: onHost(name), code: code)
        }
        var written = 0
        while written < contents.count {
            let count = contents[written...].withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw fail("write") }
            written += count
        }
        guard fchmod(file, mode) == 0 else { throw fail("set the mode of") }
        if let owner, fchown(file, owner.uid, owner.gid) != 0 { throw fail("give to uid \(owner.uid)") }
        guard fsync(file) == 0 else { throw fail("sync") }
        close(file)
        guard renameat(descriptor, temporary, descriptor, name) == 0 else {
            let code = errno
            unlinkat(descriptor, temporary, 0)
            throw TenantTreeFailure("replace", path: inside(name), hostPath: onHost(name), code: code)
        }
    }

    /// Reads the regular file `name`, nil when there is none. A link, a FIFO (opened without blocking), a
    /// device or a file with more than one link is refused (`TenantTreeRefusal`), never followed; a file
    /// larger than `maxBytes` is `TenantFileTooLarge`, never read past the bound.
    public func readFile(_ name: String, maxBytes: Int) throws -> [UInt8]? {
        let file = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard file >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP, let entry = entry(name) {
                throw TenantTreeRefusal(path: inside(name), found: entry.kind.withArticle, expected: .regularFile)
            }
            throw TenantTreeFailure("open", path: inside(name), hostPath: onHost(name), code: code)
        }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0 else {
            throw TenantTreeFailure("inspect", path: inside(name), hostPath: onHost(name))
        }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regularFile else {
            throw TenantTreeRefusal(path: inside(name), found: kind.withArticle, expected: .regularFile)
        }
        guard info.st_nlink == 1 else {
            throw TenantTreeRefusal(
                path: inside(name), found: "a file with \(info.st_nlink) hard links", expected: .regularFile)
        }
        guard Int64(info.st_size) <= Int64(maxBytes) else {
            throw TenantFileTooLarge(path: inside(name), maxBytes: maxBytes)
        }
        // Room for its size and one byte more: a file that grows while it is read fills it, and is refused.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes[count...].withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress, $0.count) }
            if read < 0 && errno == EINTR { continue }
            guard read >= 0 else { throw TenantTreeFailure("read", path: inside(name), hostPath: onHost(name)) }
            if read == 0 { break }
            count += read
        }
        guard count < bytes.count else { throw TenantFileTooLarge(path: inside(name), maxBytes: maxBytes) }
        return Array(bytes[..<count])
    }

    /// Moves the entry `name` into `directory` as `newName` (`renameat`: the entry moves, nothing is
    /// followed).
    public func move(_ name: String, to directory: DirectoryHandle, as newName: String) throws {
        guard renameat(descriptor, name, directory.descriptor, newName) == 0 else {
            throw TenantTreeFailure("move", path: inside(name), hostPath: onHost(name))
        }
    }

    /// The names in this directory (without `.` and `..`), at most `limit` of them.
    public func names(limit: Int = 100_000) throws -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            let code = errno
            throw TenantTreeFailure("list", path: path, hostPath: hostPath, code: code)
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while names.count < limit, let entry = readdir(stream) {
            let name = DirectoryHandle.name(of: entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// A `dirent`'s name.
    static func name(of entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafeBytes(of: entry.pointee.d_name) { bytes in
            let length = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<length], as: UTF8.self)
        }
    }
}
