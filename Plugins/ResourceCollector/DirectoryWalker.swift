import Glibc

/// The apparent size of a directory tree, as `du -sb` counts it: every file, directory and symbolic
/// link (not followed) by its length, a file with several hard links once. Walks with `openat` and
/// `fstatat`, so no path strings are built per entry.
///
/// The tree is a tenant's, so it is hostile: the walk is iterative (no recursion: a tree 60,000 levels
/// deep costs no stack), holds at most `maxDepth` directories open, and stops after `maxEntries`
/// entries. Beyond a bound the size is partial (a lower bound) and says which bound it met.
enum DirectoryWalker {
    struct Limits: Sendable, Hashable {
        /// Directories below this depth are counted but not entered; it is also the most descriptors a
        /// walk holds open.
        var maxDepth: Int = 64
        /// Entries counted before the walk stops.
        var maxEntries: Int = 1_000_000
    }

    /// Which bound cut a walk short.
    enum Cut: String, Sendable, Hashable {
        case depth
        case entries
        /// A directory could not be opened (out of descriptors, or its mode).
        case unreadable
    }

    struct Result: Sendable, Hashable {
        var bytes: Int64
        var entries: Int
        /// Set when the walk met a bound: `bytes` is then a lower bound.
        var cut: Cut?
    }

    /// The size of the tree at `path`, or nil when it cannot be opened.
    static func apparentSize(of path: String, limits: Limits = Limits()) -> Result? {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        var own = stat()
        guard fstat(descriptor, &own) == 0, let stream = fdopendir(descriptor) else {
            close(descriptor)
            return nil
        }
        var result = Result(bytes: Int64(own.st_size), entries: 1)
        var seen: Set<FileKey> = []
        // One open directory per level being read.
        var stack: [(descriptor: Int32, stream: OpaquePointer)] = [(descriptor, stream)]
        defer { for level in stack { closedir(level.stream) } }
        let maxDepth = max(1, limits.maxDepth)
        while let level = stack.last {
            guard let entry = readdir(level.stream) else {
                closedir(level.stream)
                stack.removeLast()
                continue
            }
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if isDot { continue }
            var info = stat()
            let found = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name.withMemoryRebound(to: CChar.self) { characters in
                    fstatat(level.descriptor, characters.baseAddress!, &info, AT_SYMLINK_NOFOLLOW) == 0
                }
            }
            guard found else { continue }
            guard result.entries < limits.maxEntries else {
                result.cut = .entries
                break
            }
            result.entries += 1
            if (info.st_mode & S_IFMT) != S_IFDIR && info.st_nlink > 1 {
                guard seen.insert(FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))).inserted else {
                    continue
                }
            }
            result.bytes += Int64(info.st_size)
            guard (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            guard stack.count < maxDepth else {
                result.cut = result.cut ?? .depth
                continue
            }
            let child = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name.withMemoryRebound(to: CChar.self) { characters in
                    openat(level.descriptor, characters.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
                }
            }
            guard child >= 0 else {
                result.cut = result.cut ?? .unreadable
                continue
            }
            guard let childStream = fdopendir(child) else {
                close(child)
                result.cut = result.cut ?? .unreadable
                continue
            }
            stack.append((child, childStream))
        }
        return result
    }

    private struct FileKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }
}
