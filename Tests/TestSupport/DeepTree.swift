import Glibc

/// Trees a hostile tenant could make, for tests of everything that walks or removes tenant directories.
public enum DeepTree {
    /// Makes `depth` nested directories `d/d/d/…` under `root`, relative to descriptors (the path would
    /// pass PATH_MAX long before the bottom).
    public static func make(at root: String, depth: Int) throws {
        var current = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard current >= 0 else { throw DeepTreeError(errno: errno) }
        for _ in 0..<depth {
            guard mkdirat(current, "d", 0o755) == 0 || errno == EEXIST else {
                let code = errno
                close(current)
                throw DeepTreeError(errno: code)
            }
            let next = openat(current, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            close(current)
            guard next >= 0 else { throw DeepTreeError(errno: errno) }
            current = next
        }
        close(current)
    }
}

public struct DeepTreeError: Error, CustomStringConvertible {
    public let errno: Int32
    public init(errno: Int32) { self.errno = errno }
    public var description: String { "making a deep tree: \(String(cString: strerror(errno)))" }
}

/// This process's open descriptors, from `/proc/self/fd`.
public enum OpenDescriptors {
    public static func count() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        // ".", "..", and the descriptor reading the directory.
        return count - 3
    }
}
