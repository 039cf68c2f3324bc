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
                   zcbench http-server [--port N] [--loops N]
                   zcbench runtime [--socket PATH] [--image IMAGE] [--containers N] [--rounds R] [--docker PATH]
                   zcbench collect [--socket PATH] [--image IMAGE] [--containers N] [--tenants N,N] [--cycles C]
                                   [--files F] [--docker PATH] [--dockerd-pid PID]

            """.utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { usage() }
arguments.removeFirst()

switch command {
case "store":
    var benchmark = StoreBenchmark()
    while let flag = arguments.first {
        arguments.removeFirst()
        func value() -> String {
            guard let next = arguments.first else { usage() }
            arguments.removeFirst()
            return next
        }
        switch flag {
        case "--tenants": benchmark.tenants = Int(value()) ?? { usage() }()
        case "--days": benchmark.days = Int(value()) ?? { usage() }()
        case "--interval": benchmark.interval = Int64(value()) ?? { usage() }()
        case "--dir": benchmark.directory = value()
        case "--postgres": benchmark.postgresURL = value()
        case "--no-baseline": benchmark.baseline = false
        case "--keep": benchmark.keep = true
        default: usage()
        }
    }
    do {
        try await benchmark.run()
    } catch {
        FileHandle.standardError.write(Data("zcbench: error: \(error)\n".utf8))
        exit(1)
    }
case "http":
    var benchmark = HTTPLoadBenchmark()
    while let flag = arguments.first {
        arguments.removeFirst()
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        switch flag {
        case "--hummingbird": benchmark.hummingbird = value
        case "--connections": benchmark.connections = Int(value) ?? { usage() }()
        case "--seconds": benchmark.seconds = Int(value) ?? { usage() }()
        case "--rounds": benchmark.rounds = Int(value) ?? { usage() }()
        case "--threads": benchmark.threads = Int(value) ?? { usage() }()
        default: usage()
        }
    }
    do {
        try await benchmark.run()
    } catch {
        FileHandle.standardError.write(Data("zcbench: error: \(error)\n".utf8))
        exit(1)
    }
case "http-server":
    var port = 8090
    var loops = ProcessInfo.processInfo.activeProcessorCount
    while let flag = arguments.first {
        arguments.removeFirst()
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        switch flag {
        case "--port": port = Int(value) ?? { usage() }()
        case "--loops": loops = Int(value) ?? { usage() }()
        default: usage()
        }
    }
    do {
        try await HTTPBenchmarkServer.run(port: port, loops: loops)
    } catch {
        FileHandle.standardError.write(Data("zcbench: error: \(error)\n".utf8))
        exit(1)
    }
case "runtime":
    var benchmark = RuntimeBenchmark()
    while let flag = arguments.first {
        arguments.removeFirst()
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        switch flag {
        case "--socket": benchmark.socket = value
        case "--image": benchmark.image = value
        case "--containers": benchmark.containers = Int(value) ?? { usage() }()
        case "--rounds": benchmark.rounds = Int(value) ?? { usage() }()
        case "--docker": benchmark.docker = value
        default: usage()
        }
    }
    do {
        try await benchmark.run()
    } catch {
        FileHandle.standardError.write(Data("zcbench: error: \(error)\n".utf8))
        exit(1)
    }
case "collect":
    var benchmark = CollectorBenchmark()
    while let flag = arguments.first {
        arguments.removeFirst()
        guard let value = arguments.first else { usage() }
        arguments.removeFirst()
        switch flag {
        case "--socket": benchmark.socket = value
        case "--image": benchmark.image = value
        case "--containers": benchmark.containers = Int(value) ?? { usage() }()
        case "--tenants": benchmark.tenantCounts = value.split(separator: ",").compactMap { Int($0) }
        case "--cycles": benchmark.cycles = Int(value) ?? { usage() }()
        case "--files": benchmark.filesPerTenant = Int(value) ?? { usage() }()
        case "--docker": benchmark.docker = value
        case "--dockerd-pid": benchmark.dockerdPid = Int32(value) ?? { usage() }()
        default: usage()
        }
    }
    do {
        try await benchmark.run()
    } catch {
        FileHandle.standardError.write(Data("zcbench: error: \(error)\n".utf8))
        exit(1)
    }
default:
    usage()
}
