import Foundation

/// `zcbench`: the project's benchmarks. Each prints figures; nothing here asserts.
///
///     zcbench store [--tenants N] [--days D] [--interval S] [--dir PATH] [--postgres URL] [--no-baseline] [--keep]
func usage() -> Never {
    FileHandle.standardError.write(
        Data(
            """
            usage: zcbench store [--tenants N] [--days D] [--interval SECONDS] [--dir PATH] [--postgres URL]
                                [--no-baseline] [--keep]
                   zcbench http [--hummingbird PATH] [--connections N] [--seconds S] [--rounds R] [--threads T]
                   zcbench api [--tenants N] [--hummingbird PATH] [--zcplatform PATH] [--connections N] [--seconds S]
                               [--rounds R] [--hold]
                   zcbench http-server [--port N] [--loops N] [--stack bare|platform|unbuffered]
                   zcbench runtime [--socket PATH] [--image IMAGE] [--containers N] [--rounds R] [--docker PATH]
                   zcbench collect [--socket PATH] [--image IMAGE] [--containers N] [--tenants N,N] [--cycles C]
                                   [--files F] [--docker PATH] [--dockerd-pid PID]
                                   [--postgres URL [--nodes N] [--cluster-tenants T]]
                   zcbench blocking [--blockers N] [--seconds S]
                   zcbench cluster --postgres URL [--requests N] [--zcplatform PATH] [--agent PATH] [--keep]
                                   [--no-database-faults] [--ci-postgres PATH]
                   zcbench database-faults [--ci-postgres PATH] [--zcplatform PATH] [--agent PATH]
                   zcbench console [--tenants N] [--rounds R] [--browser-script PATH] [--no-browser]
                   zcbench rollout [--tenants N] [--gate SECONDS] [--batch-size N|N%] [--no-gate]

            """.utf8))
    exit(2)
}

/// The flags after the command: `--name value` pairs, and the bare `switches`; anything else is a usage
/// error. A flag given twice keeps its last value.
struct Flags {
    var values: [String: String] = [:]
    var switches: Set<String> = []

    init(_ arguments: ArraySlice<String>, switches allowed: Set<String> = [], known: Set<String>) {
        var rest = arguments
        while let flag = rest.popFirst() {
            guard flag.hasPrefix("--") else { usage() }
            let name = String(flag.dropFirst(2))
            if allowed.contains(name) {
                switches.insert(name)
            } else if known.contains(name), let value = rest.popFirst() {
                values[name] = value
            } else {
                usage()
            }
        }
    }

    func string(_ name: String) -> String? { values[name] }

    /// The value as a number, or a usage error when it is not one.
    func number<N: LosslessStringConvertible>(_ name: String, as: N.Type = N.self) -> N? {
        guard let text = values[name] else { return nil }
        guard let value = N(text) else { usage() }
        return value
    }
}

/// Runs a benchmark, turning a failure into one line on stderr and exit status 1.
func measure(_ body: () async throws -> Void) async {
    do {
        try await body()
    } catch {
        FileHandle.standardError.write(Data("zcbench: error: \(error)\n".utf8))
        exit(1)
    }
}

let arguments = CommandLine.arguments.dropFirst()
guard let command = arguments.first else { usage() }
let rest = arguments.dropFirst()

switch command {
case "store":
    let flags = Flags(
        rest, switches: ["no-baseline", "keep"], known: ["tenants", "days", "interval", "dir", "postgres"])
    var benchmark = StoreBenchmark()
    benchmark.tenants = flags.number("tenants") ?? benchmark.tenants
    benchmark.days = flags.number("days") ?? benchmark.days
    benchmark.interval = flags.number("interval") ?? benchmark.interval
    benchmark.directory = flags.string("dir") ?? benchmark.directory
    benchmark.postgresURL = flags.string("postgres") ?? benchmark.postgresURL
    if flags.switches.contains("no-baseline") { benchmark.baseline = false }
    if flags.switches.contains("keep") { benchmark.keep = true }
    await measure { try await benchmark.run() }
case "http":
    let flags = Flags(rest, known: ["hummingbird", "connections", "seconds", "rounds", "threads"])
    var benchmark = HTTPLoadBenchmark()
    benchmark.hummingbird = flags.string("hummingbird") ?? benchmark.hummingbird
    benchmark.connections = flags.number("connections") ?? benchmark.connections
    benchmark.seconds = flags.number("seconds") ?? benchmark.seconds
    benchmark.rounds = flags.number("rounds") ?? benchmark.rounds
    benchmark.threads = flags.number("threads") ?? benchmark.threads
    await measure { try await benchmark.run() }
case "api":
    let flags = Flags(
        rest, switches: ["hold"], known: ["tenants", "hummingbird", "zcplatform", "connections", "seconds", "rounds"])
    var benchmark = APIBenchmark()
    benchmark.hold = flags.switches.contains("hold")
    benchmark.tenants = flags.number("tenants") ?? benchmark.tenants
    benchmark.hummingbird = flags.string("hummingbird")
    benchmark.zcplatform = flags.string("zcplatform")
    benchmark.connections = flags.number("connections") ?? benchmark.connections
    benchmark.seconds = flags.number("seconds") ?? benchmark.seconds
    benchmark.rounds = flags.number("rounds") ?? benchmark.rounds
    await measure { try await benchmark.run() }
case "http-server":
    let flags = Flags(rest, known: ["port", "loops", "stack"])
    let port: Int = flags.number("port") ?? 8090
    let loops: Int = flags.number("loops") ?? ProcessInfo.processInfo.activeProcessorCount
    guard let stack = HTTPBenchmarkServer.Stack(rawValue: flags.string("stack") ?? "bare") else { usage() }
    await measure { try await HTTPBenchmarkServer.run(port: port, loops: loops, stack: stack) }
case "runtime":
    let flags = Flags(rest, known: ["socket", "image", "containers", "rounds", "docker"])
    var benchmark = RuntimeBenchmark()
    benchmark.socket = flags.string("socket") ?? benchmark.socket
    benchmark.image = flags.string("image") ?? benchmark.image
    benchmark.containers = flags.number("containers") ?? benchmark.containers
    benchmark.rounds = flags.number("rounds") ?? benchmark.rounds
    benchmark.docker = flags.string("docker") ?? benchmark.docker
    await measure { try await benchmark.run() }
case "collect":
    let flags = Flags(
        rest,
        known: [
            "socket", "image", "containers", "tenants", "cycles", "files", "docker", "dockerd-pid", "postgres", "nodes",
            "cluster-tenants",
        ])
    var benchmark = CollectorBenchmark()
    benchmark.socket = flags.string("socket") ?? benchmark.socket
    benchmark.image = flags.string("image") ?? benchmark.image
    benchmark.containers = flags.number("containers") ?? benchmark.containers
    if let counts = flags.string("tenants") {
        benchmark.tenantCounts = counts.split(separator: ",").map { Int($0) ?? { usage() }() }
    }
    benchmark.cycles = flags.number("cycles") ?? benchmark.cycles
    benchmark.filesPerTenant = flags.number("files") ?? benchmark.filesPerTenant
    benchmark.docker = flags.string("docker") ?? benchmark.docker
    benchmark.dockerdPid = flags.number("dockerd-pid") ?? benchmark.dockerdPid
    benchmark.postgresURL = flags.string("postgres")
    benchmark.nodes = flags.number("nodes") ?? benchmark.nodes
    benchmark.clusterTenants = flags.number("cluster-tenants") ?? benchmark.clusterTenants
    await measure { try await benchmark.run() }
case "blocking":
    let flags = Flags(rest, known: ["blockers", "seconds"])
    var benchmark = BlockingBenchmark()
    benchmark.blockers = flags.number("blockers") ?? benchmark.blockers
    benchmark.seconds = flags.number("seconds") ?? benchmark.seconds
    await measure { try await benchmark.run() }
case "cluster":
    let flags = Flags(
        rest, switches: ["keep", "no-database-faults"],
        known: ["postgres", "requests", "zcplatform", "agent", "ci-postgres"])
    var benchmark = ClusterBenchmark()
    benchmark.postgresURL = flags.string("postgres")
    benchmark.requests = flags.number("requests") ?? benchmark.requests
    benchmark.zcplatform = flags.string("zcplatform") ?? benchmark.zcplatform
    benchmark.agent = flags.string("agent") ?? benchmark.agent
    if flags.switches.contains("keep") { benchmark.keep = true }
    await measure { try await benchmark.run() }
case "database-faults":
    let flags = Flags(rest, known: ["ci-postgres", "zcplatform", "agent"])
    var benchmark = DatabaseFaultBenchmark()
    benchmark.script = flags.string("ci-postgres") ?? benchmark.script
    benchmark.zcplatform = flags.string("zcplatform") ?? benchmark.zcplatform
    benchmark.agent = flags.string("agent") ?? benchmark.agent
    await measure { try await benchmark.run() }
case "console":
    let flags = Flags(rest, switches: ["no-browser"], known: ["tenants", "rounds", "browser-script"])
    var benchmark = ConsoleBenchmark()
    benchmark.tenants = flags.number("tenants") ?? benchmark.tenants
    benchmark.rounds = flags.number("rounds") ?? benchmark.rounds
    benchmark.browserScript = flags.string("browser-script") ?? benchmark.browserScript
    if flags.switches.contains("no-browser") { benchmark.browserScript = nil }
    await measure { try await benchmark.run() }
case "rollout":
    let flags = Flags(rest, switches: ["no-gate"], known: ["tenants", "gate", "batch-size"])
    var benchmark = RolloutBenchmark()
    benchmark.tenants = flags.number("tenants") ?? benchmark.tenants
    benchmark.gateSeconds = flags.number("gate") ?? benchmark.gateSeconds
    benchmark.batchSize = flags.string("batch-size") ?? benchmark.batchSize
    if flags.switches.contains("no-gate") { benchmark.gated = false }
    await measure { try await benchmark.run() }
default:
    usage()
}
