import Foundation
import ZCArchive
import ZCCore
import ZCCrypto

/// A tenant's data directory as a `.tar.gz`, for a move between nodes. The tree is the tenant's to plant,
/// so packing walks it only through descriptors (`DirectoryHandle`, `O_NOFOLLOW`), takes directories and
/// regular files with one link and nothing else (links, FIFOs, devices, hard links and paths too long or
/// too deep are counted as skipped), and stops at `maxEntries` entries or `maxBytes` of file content
/// (`cluster.move_max_bytes`: a sparse file counts at its size, whatever it occupies). Unpacking writes into a new directory of
/// the platform's own that nothing else can reach, and refuses names that leave it.
enum TenantArchive {
    /// What was packed or unpacked.
    struct Summary: Sendable, Equatable {
        var files = 0
        var directories = 0
        /// Bytes of file contents.
        var bytes: Int64 = 0
        /// Entries left out, with the first few named (paths inside the tree).
        var skipped = 0
        var skippedExamples: [String] = []
        /// The most directories of the tree open at once while packing (its depth, not its width).
        var mostOpenDirectories = 0

        mutating func skip(_ path: String, _ why: String) {
            skipped += 1
            if skippedExamples.count < 10 { skippedExamples.append("\(path) (\(why))") }
        }
    }

    struct TooLarge: Error, PublicError {
        let limit: Int
        var failureKind: FailureKind { .conflict }
        var publicMessage: String { "the tenant's directory holds more than \(limit) entries; it cannot be moved" }
    }

    struct TooManyBytes: Error, PublicError {
        let limit: Int64
        var failureKind: FailureKind { .conflict }
        var publicMessage: String {
            "the tenant's directory holds more than \(limit) bytes of files (cluster.move_max_bytes); it cannot be moved"
        }
    }

    static let maxDepth = 64

    /// Packs the tree under `top` into a new file at `path`; its SHA-256 (hex) and what went in.
    static func pack(
        _ top: DirectoryHandle, into path: String, maxEntries: Int = 500_000, maxBytes: Int64 = .max
    ) throws -> (
        sha256: String, summary: Summary
    ) {
        // The fastest level: a move waits on it, and the archive crosses a local network, not a slow one.
        let writer = try TarGzWriter(creating: path, level: 1)
        var summary = Summary()
        // Directories waiting to be read are kept by name under their open parent, never open themselves:
        // the open ones are the ancestors of the one being read, however many siblings a tenant makes.
        var stack: [(parent: DirectoryHandle?, name: String, path: String, depth: Int)] = [(nil, "", "", 0)]
        var waiting: [ObjectIdentifier: Int] = [:]
        var entries = 0
        while let (parent, name, prefix, depth) = stack.popLast() {
            if let parent {
                let key = ObjectIdentifier(parent)
                waiting[key, default: 1] -= 1
                if waiting[key] == 0 { waiting[key] = nil }
            }
            let directory: DirectoryHandle
            do {
                directory = try parent?.openDirectory(name) ?? top
            } catch is TenantTreeRefusal {
                summary.skip(prefix, "changed while it was read")
                continue
            }
            summary.mostOpenDirectories = max(summary.mostOpenDirectories, waiting.count + 1)
            for name in try directory.names(limit: maxEntries + 1).sorted() {
                entries += 1
                guard entries <= maxEntries else { throw TooLarge(limit: maxEntries) }
                let relative = prefix.isEmpty ? name : "\(prefix)/\(name)"
                guard let entry = directory.entry(name) else { continue }  // gone meanwhile
                guard TarGzWriter.fits(relative) else {
                    summary.skip(relative, "path too long")
                    continue
                }
                switch entry.kind {
                case .directory:
                    guard depth + 1 < maxDepth else {
                        summary.skip(relative, "deeper than \(maxDepth)")
                        continue
                    }
                    try writer.addDirectory(relative, modificationTime: 0)
                    summary.directories += 1
                    stack.append((directory, name, relative, depth + 1))
                    waiting[ObjectIdentifier(directory), default: 0] += 1
                case .regularFile where entry.links == 1:
                    let file = openat(directory.descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                    guard file >= 0 else {
                        summary.skip(relative, "cannot be opened")
                        continue
                    }
                    defer { close(file) }
                    var info = stat()
                    guard fstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1 else {
                        summary.skip(relative, "changed while it was read")
                        continue
                    }
                    // Before a byte is read: a tenant's sparse terabyte would otherwise be read, compressed
                    // and sent whole.
                    guard Int64(info.st_size) <= maxBytes - summary.bytes else { throw TooManyBytes(limit: maxBytes) }
                    try writer.addFile(
                        relative, descriptor: file, size: Int64(info.st_size), mode: UInt32(info.st_mode & 0o777),
                        modificationTime: Int64(info.st_mtim.tv_sec))
                    summary.files += 1
                    summary.bytes += Int64(info.st_size)
                case .regularFile:
                    summary.skip(relative, "a file with \(entry.links) hard links")
                default:
                    summary.skip(relative, entry.kind.withArticle)
                }
            }
        }
        try writer.finish()
        let digest = try sha256(of: path)
        return (digest, summary)
    }

    /// The SHA-256 of a file, hex.
    static func sha256(of path: String) throws -> String {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { throw ArchiveError.system("open", path) }
        defer { close(file) }
        let digest = StreamingSHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw ArchiveError.system("read", path) }
            if count == 0 { break }
            digest.update(Array(buffer[0..<count]))
        }
        return digest.finish().hexString
    }

    /// Unpacks the archive at `archive` into `directory`, which must not exist (it is created with mode
    /// 0700); everything in it is given to `owner` when set.
    static func unpack(
        _ archive: String, into directory: String, owner: (uid: UInt32, gid: UInt32)?
    ) throws
        -> Summary
    {
        guard mkdir(directory, 0o700) == 0 else { throw ArchiveError.system("create", directory) }
        var summary = Summary()
        var open: (name: String, descriptor: Int32)?
        func close() {
            if let open { Glibc.close(open.descriptor) }
            open = nil
        }
        func ensureDirectory(_ relative: String) throws {
            var path = directory
            for part in relative.split(separator: "/") {
                path += "/\(part)"
                if mkdir(path, 0o700) == 0 {
                    summary.directories += 1
                    if let owner { lchown(path, owner.uid, owner.gid) }
                } else if errno != EEXIST {
                    throw ArchiveError.system("create", path)
                }
            }
        }
        let reader = try TarGzReader(path: archive)
        defer { close() }
        let entries = try reader.readAll { entry, piece in
            if open?.name != entry.name {
                close()
                let parent = (entry.name as NSString).deletingLastPathComponent
                if !parent.isEmpty { try ensureDirectory(parent) }
                let path = "\(directory)/\(entry.name)"
                let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw ArchiveError.system("create", path) }
                open = (entry.name, descriptor)
            }
            guard let descriptor = open?.descriptor else { return }
            try piece.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else { throw ArchiveError.system("write", entry.name) }
                    offset += written
                }
            }
        }
        close()
        for (entry, _) in entries {
            let path = "\(directory)/\(entry.name)"
            if entry.isDirectory {
                try ensureDirectory(entry.name)
                continue
            }
            let parent = (entry.name as NSString).deletingLastPathComponent
            if !parent.isEmpty { try ensureDirectory(parent) }
            // An empty file had no piece to create it.
            let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw ArchiveError.system("create", path) }
            if let owner { fchown(descriptor, owner.uid, owner.gid) }
            Glibc.close(descriptor)
            summary.files += 1
            summary.bytes += entry.size
        }
        if let owner { lchown(directory, owner.uid, owner.gid) }
        return summary
    }
}
