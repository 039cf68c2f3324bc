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
default:
    usage()
}
