import Foundation

/// CPU seconds used, read from the kernel: this process, its finished children, or another process
/// (the Docker daemon) by pid.
enum CPUTime {
    static func ownSeconds() -> Double { usage(RUSAGE_SELF.rawValue) }
    static func childrenSeconds() -> Double { usage(RUSAGE_CHILDREN.rawValue) }

    private static func usage(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// utime + stime of `pid` from `/proc/{pid}/stat`, or nil when it is not readable.
    static func processSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// Wall and CPU time of one measured piece of work.
struct Cost {
    var wall: Double
    var ownCPU: Double
    var childCPU: Double
    var daemonCPU: Double

    var totalCPU: Double { ownCPU + childCPU + daemonCPU }

    static func measure(daemon: Int32?, _ body: () async throws -> Void) async rethrows -> Cost {
        let own = CPUTime.ownSeconds()
        let children = CPUTime.childrenSeconds()
        let daemonBefore = daemon.flatMap(CPUTime.processSeconds)
        let start = Clock.now()
        try await body()
        let wall = Clock.seconds(since: start)
        let daemonAfter = daemon.flatMap(CPUTime.processSeconds)
        return Cost(
            wall: wall, ownCPU: CPUTime.ownSeconds() - own, childCPU: CPUTime.childrenSeconds() - children,
            daemonCPU: (daemonAfter ?? 0) - (daemonBefore ?? 0))
    }
}
