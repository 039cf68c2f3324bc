/// Where this host mounts its cgroup hierarchies, read from `/proc/self/mountinfo`: the unified (v2)
/// hierarchy, and the v1 hierarchies of the controllers the resource collector reads.
struct CgroupMounts: Sendable, Hashable {
    struct Mount: Sendable, Hashable {
        /// Where the hierarchy is mounted (`/sys/fs/cgroup/memory`).
        let point: String
        /// The hierarchy's path that appears at `point` (`/` unless the mount is of a sub-tree).
        let root: String

        /// The directory of `path` (a path as `/proc/{pid}/cgroup` gives it), or nil when the mount does
        /// not show it.
        func directory(of path: String) -> String? {
            if root == "/" { return point + (path == "/" ? "" : path) }
            if path == root { return point }
            guard path.hasPrefix(root + "/") else { return nil }
            return point + path.dropFirst(root.count)
        }
    }

    var unified: Mount?
    /// v1 mounts by controller (`cpuacct`, `memory`, `pids`).
    var controllers: [String: Mount] = [:]

    static let wanted: Set<String> = ["cpuacct", "memory", "pids"]

    /// Parses mountinfo lines: `id parent major:minor root point options [optional…] - type source super`.
    static func parse(mountinfo: String) -> CgroupMounts {
        var mounts = CgroupMounts()
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let dash = fields.firstIndex(of: "-"), dash >= 5, fields.count > dash + 3 else { continue }
            let type = fields[dash + 1]
            let mount = Mount(point: unescape(fields[4]), root: unescape(fields[3]))
            if type == "cgroup2" {
                if mounts.unified == nil { mounts.unified = mount }
            } else if type == "cgroup" {
                for option in fields[dash + 3].split(separator: ",") where wanted.contains(String(option)) {
                    if mounts.controllers[String(option)] == nil { mounts.controllers[String(option)] = mount }
                }
            }
        }
        return mounts
    }

    /// mountinfo writes space, tab, newline and backslash as `\040`, `\011`, `\012`, `\134`.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var iterator = Array(field.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "\\"), iterator.count >= 3,
                let code = UInt8(String(decoding: iterator.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(code)
                iterator = iterator.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
