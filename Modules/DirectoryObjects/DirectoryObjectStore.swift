import Foundation
import Glibc
import ZCCore

/// Objects as files under a mounted directory (a second disk, NFS): `ROOT/key`. A put writes
/// `ROOT/.partial/…`, syncs it, and renames it into place, so a reader never sees half an object, and a
/// crash leaves at most a partial file, which the next start removes. The directory must exist.
public final class DirectoryObjectStore: ObjectStore {
    public let driver = "directory"
    public let root: String
    static let partial = ".partial"

    public init(root: String) throws(ObjectStoreError) {
        let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        guard trimmed.hasPrefix("/") else {
            throw ObjectStoreError(.missingContainer, "the objects directory must be an absolute path, not \(root)")
        }
        var status = stat()
        guard stat(trimmed, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw ObjectStoreError(.missingContainer, "the objects directory \(trimmed) does not exist")
        }
        self.root = trimmed
        let partial = trimmed + "/" + Self.partial
        if mkdir(partial, 0o700) != 0, errno != EEXIST {
            throw ObjectStoreError(
                .localFailure, "cannot make \(partial): \(String(cString: strerror(errno)))")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: partial)) ?? [] {
            unlink(partial + "/" + name)
        }
    }

    public var location: String { "file://" + root }

    public func put(_ key: ObjectKey, _ body: ObjectBody) async throws {
        let temporary = root + "/" + Self.partial + "/" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot write", key, temporary) }
        var written = false
        defer {
            close(fd)
            if !written { unlink(temporary) }
        }
        while let piece = try body.read(max: 1 << 20) {
            try writeAll(fd, piece, key: key)
        }
        guard fsync(fd) == 0 else { throw failure("cannot sync", key, temporary) }
        let target = root + "/" + key.path
        try makeParents(of: key)
        guard rename(temporary, target) == 0 else { throw failure("cannot rename into", key, target) }
        written = true
        syncDirectory(parent(of: target))
    }

    public func get(_ key: ObjectKey) async throws -> ObjectStream {
        let path = root + "/" + key.path
        // A link planted in the directory is no object: it is not followed.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR || errno == EISDIR || errno == ELOOP {
                throw ObjectStoreError(.notFound, key: key.path, "no such object in \(location)")
            }
            throw failure("cannot read", key, path)
        }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ObjectStoreError(.notFound, key: key.path, "no such object in \(location)")
        }
        let reader = DirectoryObjectReader(fd: fd, key: key.path)
        return ObjectStream(size: Int(status.st_size)) { try reader.next() }
    }

    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        var status = stat()
        guard lstat(root + "/" + key.path, &status) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("cannot read", key, root + "/" + key.path)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return ObjectInfo(key: key.path, size: Int(status.st_size), modified: Int64(status.st_mtim.tv_sec))
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        guard ObjectKey.isValidPrefix(prefix) else {
            throw ObjectStoreError(.invalidKey, key: String(prefix.prefix(80)), "not a valid key prefix")
        }
        // Walk the deepest directory the prefix names whole; keys below it are filtered by the rest.
        let directory = prefix.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        var found: [ObjectInfo] = []
        try walk(directory, prefix: prefix, into: &found)
        return found.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    private func walk(_ relative: String, prefix: String, into found: inout [ObjectInfo]) throws {
        let path = relative.isEmpty ? root : root + "/" + relative
        guard let handle = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw ObjectStoreError(.localFailure, "cannot list \(path): \(String(cString: strerror(errno)))")
        }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." || (relative.isEmpty && name == Self.partial) { continue }
            let key = relative.isEmpty ? name : relative + "/" + name
            // No key is longer: a deeper tree (put there by hand) is not walked, so the walk is bounded.
            guard key.utf8.count <= ObjectKey.maxBytes else { continue }
            var status = stat()
            guard lstat(root + "/" + key, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                if key.hasPrefix(prefix) || prefix.hasPrefix(key + "/") { try walk(key, prefix: prefix, into: &found) }
            case S_IFREG:
                if key.hasPrefix(prefix), ObjectKey.isValid(key) {
                    found.append(
                        ObjectInfo(key: key, size: Int(status.st_size), modified: Int64(status.st_mtim.tv_sec)))
                }
            default: continue
            }
        }
    }

    public func delete(_ key: ObjectKey) async throws {
        let path = root + "/" + key.path
        guard unlink(path) == 0 || errno == ENOENT || errno == ENOTDIR else {
            throw failure("cannot delete", key, path)
        }
        // Empty directories left behind go too (a later put makes them again).
        var directory = parent(of: path)
        while directory.count > root.count, rmdir(directory) == 0 {
            directory = parent(of: directory)
        }
    }

    public func shutdown() async {}

    private func makeParents(of key: ObjectKey) throws {
        var path = root
        for segment in key.path.split(separator: "/").dropLast() {
            path += "/" + segment
            if mkdir(path, 0o700) != 0, errno != EEXIST { throw failure("cannot make a directory for", key, path) }
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], key: ObjectKey) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", key, root + "/" + Self.partial)
            }
            offset += count
        }
    }

    private func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[..<slash])
    }

    private func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private func failure(_ what: String, _ key: ObjectKey, _ path: String) -> ObjectStoreError {
        let code = errno
        return ObjectStoreError(
            .localFailure, key: key.path, "\(what) \(path): \(String(cString: strerror(code)))")
    }
}

/// Reads one object's file in pieces; closes it at the end or when dropped.
final class DirectoryObjectReader: @unchecked Sendable {
    private var fd: Int32
    private let key: String

    init(fd: Int32, key: String) {
        self.fd = fd
        self.key = key
    }

    deinit { if fd >= 0 { close(fd) } }

    func next() throws -> [UInt8]? {
        guard fd >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 {
                throw ObjectStoreError(.localFailure, key: key, "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 {
                close(fd)
                fd = -1
                return nil
            }
            return Array(buffer[0..<count])
        }
    }
}
