import Glibc

/// The apparent size of a directory tree, as `du -sb` counts it: every file, directory and symbolic
/// link (not followed) by its length, a file with several hard links once. Walks with `openat` and
/// `fstatat`, so no path strings are built per entry.
enum DirectoryWalker {
    struct Result: Sendable, Hashable {
        var bytes: Int64
        var entries: Int
    }

    /// The size of the tree at `path`, or nil when it cannot be opened.
    static func apparentSize(of path: String) -> Result? {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        var own = stat()
        guard fstat(descriptor, &own) == 0 else {
            close(descriptor)
            return nil
        }
        var result = Result(bytes: Int64(own.st_size), entries: 1)
        var seen: Set<FileKey> = []
        walk(descriptor, into: &result, seen: &seen)
        return result
    }

    private struct FileKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// Adds every entry under the open directory `descriptor` (which it closes).
    private static func walk(_ descriptor: Int32, into result: inout Result, seen: inout Set<FileKey>) {
        guard let directory = fdopendir(descriptor) else {
            close(descriptor)
            return
        }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if isDot { continue }
            var info = stat()
            let found = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name.withMemoryRebound(to: CChar.self) { characters in
                    fstatat(descriptor, characters.baseAddress!, &info, AT_SYMLINK_NOFOLLOW) == 0
                }
            }
            guard found else { continue }
            result.entries += 1
            if (info.st_mode & S_IFMT) != S_IFDIR && info.st_nlink > 1 {
                guard seen.insert(FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))).inserted else {
                    continue
                }
            }
            result.bytes += Int64(info.st_size)
            guard (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            let child = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name.withMemoryRebound(to: CChar.self) { characters in
                    openat(descriptor, characters.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
                }
            }
            if child >= 0 { walk(child, into: &result, seen: &seen) }
        }
    }
}
