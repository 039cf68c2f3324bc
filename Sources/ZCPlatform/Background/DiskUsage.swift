import Glibc

/// How full the filesystem holding a path is, as `df` reports it: used blocks over the blocks an
/// unprivileged user could use (used + available), in percent.
enum DiskUsage {
    static func percentUsed(of path: String) -> Double? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let used = Double(info.f_blocks - info.f_bfree)
        let usable = used + Double(info.f_bavail)
        guard usable > 0 else { return nil }
        return used / usable * 100
    }
}
