import Glibc
import ZCCore

/// Reads containers' counters straight from their cgroup files on this host, as the kernel keeps them
/// (cgroup v1 and v2): no daemon round trip, no one-second sampling tick.
///
/// Only possible when the platform runs on the Docker host and sees its processes (the container's
/// main pid from `inspect` exists in our `/proc`); otherwise the runtime uses the Engine API.
struct CgroupStatsReader: Sendable {
    /// The files of one container's cgroup.
    struct Target: Sendable, Hashable {
        enum Version: String, Sendable { case v1 = "cgroup-v1", v2 = "cgroup-v2" }
        let version: Version
        /// v2: `cpu.stat`; v1: `cpuacct.usage`.
        let cpu: String
        /// The memory controller's directory.
        let memory: String
        let pids: String?
        /// Lists the processes in the cgroup; one of them leads to the network namespace.
        let processes: String
        /// The container uses the host's network namespace: its interfaces are the host's.
        let sharesHostNetwork: Bool
    }

    let mounts: CgroupMounts
    let procRoot: String
    /// What "no limit" means: the host's memory, as `docker stats` reports it.
    let hostMemory: Int64

    init(mounts: CgroupMounts, procRoot: String = "/proc", hostMemory: Int64 = Self.physicalMemory()) {
        self.mounts = mounts
        self.procRoot = procRoot
        self.hostMemory = hostMemory
    }

    /// The reader for this host, or nil when it mounts no cgroup hierarchy we can read.
    static func forThisHost() -> CgroupStatsReader? {
        var files = CgroupFiles()
        guard let bytes = files.read("/proc/self/mountinfo") else { return nil }
        let mounts = CgroupMounts.parse(mountinfo: String(decoding: bytes, as: UTF8.self))
        guard mounts.unified != nil || mounts.controllers["memory"] != nil else { return nil }
        return CgroupStatsReader(mounts: mounts)
    }

    static func physicalMemory() -> Int64 {
        Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The cgroup files of the container whose process is `pid`, or nil when they are not visible here.
    func target(forProcess pid: Int, files: inout CgroupFiles) -> Target? {
        guard pid > 0, let bytes = files.read("\(procRoot)/\(pid)/cgroup") else { return nil }
        var unifiedPath: String?
        var controllerPaths: [String: String] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let path = String(decoding: parts[2], as: UTF8.self)
            if parts[0].elementsEqual("0".utf8), parts[1].isEmpty {
                unifiedPath = path
            } else {
                for controller in parts[1].split(separator: UInt8(ascii: ",")) {
                    controllerPaths[String(decoding: controller, as: UTF8.self)] = path
                }
            }
        }
        let network = sharesHostNetwork(pid)
        if let unified = mounts.unified, let path = unifiedPath, let directory = unified.directory(of: path),
            files.read("\(directory)/memory.current") != nil
        {
            return Target(
                version: .v2, cpu: "\(directory)/cpu.stat", memory: directory, pids: "\(directory)/pids.current",
                processes: "\(directory)/cgroup.procs", sharesHostNetwork: network)
        }
        guard let cpuMount = mounts.controllers["cpuacct"], let cpuPath = controllerPaths["cpuacct"],
            let cpuDirectory = cpuMount.directory(of: cpuPath),
            let memoryMount = mounts.controllers["memory"], let memoryPath = controllerPaths["memory"],
            let memoryDirectory = memoryMount.directory(of: memoryPath),
            files.read("\(memoryDirectory)/memory.usage_in_bytes") != nil
        else { return nil }
        var pids: String?
        if let mount = mounts.controllers["pids"], let path = controllerPaths["pids"],
            let directory = mount.directory(of: path)
        {
            pids = "\(directory)/pids.current"
        }
        return Target(
            version: .v1, cpu: "\(cpuDirectory)/cpuacct.usage", memory: memoryDirectory, pids: pids,
            processes: "\(memoryDirectory)/cgroup.procs", sharesHostNetwork: network)
    }

    /// One sample of the target's counters, or nil when its cgroup is gone (the container stopped or
    /// was replaced).
    func read(_ target: Target, files: inout CgroupFiles, sampledAt: UInt64) -> ContainerStats? {
        let cpu: UInt64
        let memory: Int64
        let limit: Int64
        switch target.version {
        case .v2:
            guard let usage = files.keyed(target.cpu, "usage_usec"),
                let current = files.integer("\(target.memory)/memory.current")
            else { return nil }
            cpu = UInt64(max(0, usage)) &* 1000
            let inactive = files.keyed("\(target.memory)/memory.stat", "inactive_file") ?? 0
            memory = max(0, current - inactive)
            limit = files.integer("\(target.memory)/memory.max") ?? hostMemory
        case .v1:
            guard let usage = files.integer(target.cpu),
                let current = files.integer("\(target.memory)/memory.usage_in_bytes")
            else { return nil }
            cpu = UInt64(max(0, usage))
            let inactive = files.keyed("\(target.memory)/memory.stat", "total_inactive_file") ?? 0
            memory = max(0, current - inactive)
            // v1 reports "no limit" as a huge page-rounded number.
            limit = min(files.integer("\(target.memory)/memory.limit_in_bytes") ?? hostMemory, hostMemory)
        }
        let pids = target.pids.flatMap { files.integer($0) } ?? 0
        var received: Int64 = 0
        var sent: Int64 = 0
        if !target.sharesHostNetwork, let list = files.read(target.processes),
            let pid = CgroupFiles.firstInteger(list), let table = files.read("\(procRoot)/\(pid)/net/dev")
        {
            (received, sent) = CgroupFiles.networkTotals(table)
        }
        return ContainerStats(
            cpuNanoseconds: cpu, memBytes: memory, memLimit: limit, netIn: received, netOut: sent, pids: pids,
            sampledAtNanoseconds: sampledAt)
    }

    /// Whether `pid` lives in the same network namespace as this process (unknown counts as no).
    private func sharesHostNetwork(_ pid: Int) -> Bool {
        var own = stat()
        var theirs = stat()
        guard stat("\(procRoot)/self/ns/net", &own) == 0, stat("\(procRoot)/\(pid)/ns/net", &theirs) == 0 else {
            return false
        }
        return own.st_ino == theirs.st_ino && own.st_dev == theirs.st_dev
    }
}
