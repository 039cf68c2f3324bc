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

    /// One sample of each process group in `limits` (group → memory limit), from one pass over `/proc`.
    static func samples(groups limits: [pid_t: Int64]) -> [pid_t: ContainerStats] {
        let ticks = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        var totals: [pid_t: (cpu: UInt64, memory: Int64, tasks: Int64)] = [:]
        for group in limits.keys { totals[group] = (0, 0, 0) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for name in names {
            guard let pid = pid_t(name), let entry = entry(pid), var total = totals[entry.processGroup] else {
                continue
            }
            total.cpu += entry.cpuTicks
            total.memory += entry.residentPages * page
            total.tasks += entry.threads
            totals[entry.processGroup] = total
        }
        let now = DispatchTime.now().uptimeNanoseconds
        return totals.reduce(into: [:]) { samples, element in
            samples[element.key] = ContainerStats(
                cpuNanoseconds: element.value.cpu * (1_000_000_000 / ticks), memBytes: element.value.memory,
                memLimit: limits[element.key] ?? 0, netIn: 0, netOut: 0, pids: element.value.tasks,
                sampledAtNanoseconds: now)
        }
    }

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
