import Foundation
import TestSupport
import Testing
import ZCCore

@testable import DockerRuntime

/// The cgroup reader against fake `/proc` and `/sys/fs/cgroup` trees of both versions, laid out as the
/// kernel lays them out, and against the real engine's containers.
@Suite("Container statistics from cgroup files")
struct CgroupStatsTests {
    static func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static let netDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:  999999      10    0    0    0     0          0         0   999999      10    0    0    0     0       0          0
          eth0:    1500      12    0    0    0     0          0         0      700       8    0    0    0     0       0          0
          eth1:     500       2    0    0    0     0          0         0      300       1    0    0    0     0       0          0

        """

    @Test("mountinfo: v1 controllers (also co-mounted), the unified hierarchy, escaped mount points")
    func mounts() {
        let mounts = CgroupMounts.parse(
            mountinfo: """
                25 1 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
                30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate
                33 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:13 - cgroup cgroup rw,cpu,cpuacct
                34 25 0:30 /docker /sys/fs/cgroup/mem\\040ory rw shared:14 - cgroup cgroup rw,memory
                35 25 0:31 / /sys/fs/cgroup/pids rw shared:15 - cgroup cgroup rw,pids
                """)
        #expect(mounts.unified == CgroupMounts.Mount(point: "/sys/fs/cgroup/unified", root: "/"))
        #expect(mounts.controllers["cpuacct"]?.point == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(mounts.controllers["memory"] == CgroupMounts.Mount(point: "/sys/fs/cgroup/mem ory", root: "/docker"))
        #expect(mounts.controllers["memory"]?.directory(of: "/docker/abc") == "/sys/fs/cgroup/mem ory/abc")
        #expect(mounts.controllers["memory"]?.directory(of: "/other/abc") == nil, "outside the mounted sub-tree")
        #expect(mounts.controllers["pids"]?.directory(of: "/") == "/sys/fs/cgroup/pids")
    }

    @Test("cgroup v2: cpu.stat, memory less inactive file, memory.max, pids, network without lo")
    func version2() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let group = root.file("cgroup/system.slice/docker-abc.scope")
        try Self.write(root.file("proc/4242/cgroup"), "0::/system.slice/docker-abc.scope\n")
        try Self.write("\(group)/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n")
        try Self.write("\(group)/memory.current", "10485760\n")
        try Self.write("\(group)/memory.stat", "anon 7000000\nfile 3000000\ninactive_file 2097152\nactive_file 1\n")
        try Self.write("\(group)/memory.max", "268435456\n")
        try Self.write("\(group)/pids.current", "7\n")
        try Self.write("\(group)/cgroup.procs", "4242\n4250\n")
        try Self.write(root.file("proc/4242/net/dev"), Self.netDev)
        let reader = CgroupStatsReader(
            mounts: CgroupMounts(unified: .init(point: root.file("cgroup"), root: "/")), procRoot: root.file("proc"),
            hostMemory: 1 << 34)
        var files = CgroupFiles()
        let target = try #require(reader.target(forProcess: 4242, files: &files))
        #expect(target.version == .v2)
        let stats = try #require(reader.read(target, files: &files, sampledAt: 1))
        #expect(stats.cpuNanoseconds == 2_500_000_000)
        #expect(stats.memBytes == 10_485_760 - 2_097_152)
        #expect(stats.memLimit == 268_435_456)
        #expect(stats.pids == 7)
        #expect(stats.netIn == 2000)
        #expect(stats.netOut == 1000)
        try Self.write("\(group)/memory.max", "max\n")
        #expect(reader.read(target, files: &files, sampledAt: 2)?.memLimit == 1 << 34, "no limit: the host's memory")
        try FileManager.default.removeItem(atPath: group)
        #expect(reader.read(target, files: &files, sampledAt: 3) == nil, "a removed cgroup: the container stopped")
        #expect(reader.target(forProcess: 999, files: &files) == nil, "a process not visible here")
    }

    @Test("cgroup v1: cpuacct.usage, memory.usage_in_bytes less total_inactive_file, pids controller")
    func version1() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let id = "/docker/0123abcd"
        try Self.write(
            root.file("proc/77/cgroup"),
            "12:pids:\(id)\n6:memory:\(id)\n3:cpu,cpuacct:\(id)\n1:name=systemd:\(id)\n0::\(id)\n")
        try Self.write(root.file("cg/cpu,cpuacct\(id)/cpuacct.usage"), "31715459\n")
        try Self.write(root.file("cg/memory\(id)/memory.usage_in_bytes"), "4194304\n")
        try Self.write(
            root.file("cg/memory\(id)/memory.stat"), "cache 100\ninactive_file 5\ntotal_inactive_file 1048576\n")
        try Self.write(root.file("cg/memory\(id)/memory.limit_in_bytes"), "9223372036854771712\n")
        try Self.write(root.file("cg/memory\(id)/cgroup.procs"), "77\n")
        try Self.write(root.file("cg/pids\(id)/pids.current"), "5\n")
        try Self.write(root.file("proc/77/net/dev"), Self.netDev)
        // A hybrid host: the unified hierarchy is mounted but holds no controllers, so v1 is read.
        try FileManager.default.createDirectory(atPath: root.file("unified\(id)"), withIntermediateDirectories: true)
        let reader = CgroupStatsReader(
            mounts: CgroupMounts(
                unified: .init(point: root.file("unified"), root: "/"),
                controllers: [
                    "cpuacct": .init(point: root.file("cg/cpu,cpuacct"), root: "/"),
                    "memory": .init(point: root.file("cg/memory"), root: "/"),
                    "pids": .init(point: root.file("cg/pids"), root: "/"),
                ]), procRoot: root.file("proc"), hostMemory: 1 << 33)
        var files = CgroupFiles()
        let target = try #require(reader.target(forProcess: 77, files: &files))
        #expect(target.version == .v1)
        let stats = try #require(reader.read(target, files: &files, sampledAt: 1))
        #expect(stats.cpuNanoseconds == 31_715_459)
        #expect(stats.memBytes == 4_194_304 - 1_048_576)
        #expect(stats.memLimit == 1 << 33, "v1's unlimited value is the host's memory")
        #expect(stats.pids == 5)
        #expect(stats.netIn == 2000 && stats.netOut == 1000)
    }
}

/// The batched statistics of real containers: read from cgroup files where the host shows them, and
/// equal in kind to the Engine API's one-shot stats of the same containers.
@Suite(
    "Collection-cycle statistics on a real engine", .serialized,
    .enabled(if: DockerTestEngine.shouldRun, DockerTestEngine.skipMessage))
struct DockerBatchStatsTests {
    @Test("cgroup and Engine API samples of the same containers agree; missing ones are missing")
    func batch() async throws {
        let fixtures = try (0..<3).map { _ in try DockerRuntimeTests.Fixture() }
        let direct = try DockerRuntime(
            options: DockerRuntimeOptions(socketPath: try DockerTestEngine.requireSocket(), statsFromCgroups: true),
            logger: .disabled)
        let viaAPI = try DockerRuntime(
            options: DockerRuntimeOptions(socketPath: try DockerTestEngine.requireSocket(), statsFromCgroups: false),
            logger: .disabled)
        func cleanup() async {
            for fixture in fixtures { await fixture.cleanup() }
            await direct.shutdown()
            await viaAPI.shutdown()
        }
        do {
            for fixture in fixtures {
                let id = try await fixture.runtime.create(fixture.spec)
                try await fixture.runtime.start(id)
            }
            let ids = fixtures.map { ContainerID($0.spec.name) } + [ContainerID("zeroclaw-tenant-never-made")]
            try await Task.sleep(for: .milliseconds(500))
            let first = try await direct.stats(of: ids, concurrency: 4, timeout: .seconds(10))
            let api = try await viaAPI.stats(of: ids, concurrency: 4, timeout: .seconds(10))
            let second = try await direct.stats(of: ids, concurrency: 4, timeout: .seconds(10))
            #expect(api.source == "engine-api")
            #expect(first.source.hasPrefix("cgroup"), "this host shows the containers' cgroups: \(first.source)")
            #expect(first.results[ids[3]] == .missing)
            #expect(api.results[ids[3]] == .missing)
            for id in ids.prefix(3) {
                guard case .sample(let cgroup)? = second.results[id], case .sample(let engine)? = api.results[id],
                    case .sample(let earlier)? = first.results[id]
                else {
                    Issue.record("no samples for \(id): \(String(describing: second.results[id]))")
                    continue
                }
                #expect(cgroup.memLimit == 64 << 20 && engine.memLimit == 64 << 20)
                #expect(cgroup.pids >= 1 && cgroup.pids == engine.pids)
                #expect(cgroup.memBytes > 0)
                // Within 25 % of each other: read a few milliseconds apart.
                #expect(abs(Double(cgroup.memBytes - engine.memBytes)) < Double(engine.memBytes) * 0.25)
                #expect(cgroup.cpuNanoseconds > 0)
                #expect(cgroup.cpuNanoseconds >= earlier.cpuNanoseconds, "a counter")
            }
            // A stopped container's cgroup goes away: missing, then found again after a start.
            try await fixtures[0].runtime.stop(ids[0], timeout: .seconds(5))
            #expect(
                try await direct.stats(of: [ids[0]], concurrency: 1, timeout: .seconds(10)).results[ids[0]] == .missing)
            try await fixtures[0].runtime.start(ids[0])
            let again = try await direct.stats(of: [ids[0]], concurrency: 1, timeout: .seconds(10))
            #expect(again.results[ids[0]]?.isSample == true)
        } catch {
            await cleanup()
            throw error
        }
        await cleanup()
    }
}
