import Foundation
import ZCCore

/// Counters of a process group read from `/proc`: CPU time, resident memory and tasks of every
/// process in the group. A process has no network counters of its own outside a namespace.
enum ProcStats {
    struct Entry {
        let pid: pid_t
        let processGroup: pid_t
        let cpuTicks: UInt64
        let threads: Int64
        let residentPages: Int64
        let startTime: UInt64
    }

    /// Fields of `/proc/{pid}/stat` after the command name (which may hold spaces and parentheses).
    static func entry(_ pid: pid_t) -> Entry? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3 of proc(5)); field N of proc(5) is fields[N - 3].
        func field(_ number: Int) -> UInt64? {
            number - 3 < fields.count ? UInt64(fields[number - 3]) : nil
        }
        guard let group = field(5), let user = field(14), let system = field(15), let threads = field(20),
            let start = field(22), let rss = field(24)
        else { return nil }
        return Entry(
            pid: pid, processGroup: pid_t(group), cpuTicks: user + system, threads: Int64(threads),
            residentPages: Int64(rss), startTime: start)
    }

    static func startTime(of pid: pid_t) -> UInt64? { entry(pid)?.startTime }

    /// One sample of every process whose group is `group`.
    static func sample(group: pid_t, memoryLimit: Int64) -> ContainerStats {
        let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        var cpu: UInt64 = 0
        var memory: Int64 = 0
        var tasks: Int64 = 0
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for name in names {
            guard let pid = pid_t(name), let entry = entry(pid), entry.processGroup == group else { continue }
            cpu += entry.cpuTicks
            memory += entry.residentPages * page
            tasks += entry.threads
        }
        return ContainerStats(
            cpuNanoseconds: cpu * (1_000_000_000 / ticks), memBytes: memory, memLimit: memoryLimit, netIn: 0, netOut: 0,
            pids: tasks, sampledAtNanoseconds: DispatchTime.now().uptimeNanoseconds)
    }
}
