import Foundation

/// `zcbench http`: the project's HTTP stack against Hummingbird 2 (built outside the repo) serving the
/// same small JSON answer, loaded in turns by wrk on loopback with keep-alive. Prints requests per
/// second and p50/p99 latency of each round, the medians, their ratios, and each server's memory
/// before and after (flat means no growth per request).
struct HTTPLoadBenchmark {
    var hummingbird: String?
    var connections = 64
    var seconds = 10
    var rounds = 3
    var threads = 1

    typealias Round = Wrk.Round

    struct Contender {
        let name: String
        let process: Process
        let port: Int
        /// The pipe the server's stderr (its access log) goes into, if it writes one.
        let log: LogPipeReader?
        var rounds: [Round] = []
        var rssBefore = 0
        var rssAfter = 0
    }

    func run() async throws {
        let wrk = try Wrk()
        let selfPath =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // The router alone; then what `serve` runs by default (access log through the buffered writer,
        // request metrics); then the same with the log written on the request's thread, as before.
        var contenders = [
            try start(
                "ZCHTTP, router only", executable: selfPath,
                arguments: ["http-server", "--port", "18090", "--stack", "bare"], port: 18090),
            try start(
                "ZCHTTP, serve defaults", executable: selfPath,
                arguments: ["http-server", "--port", "18092", "--stack", "platform"], port: 18092, log: LogPipeReader()),
            try start(
                "ZCHTTP, log unbuffered", executable: selfPath,
                arguments: ["http-server", "--port", "18093", "--stack", "unbuffered"], port: 18093,
                log: LogPipeReader()),
        ]
        if let hummingbird {
            contenders.append(try start("Hummingbird 2", executable: hummingbird, arguments: ["18091"], port: 18091))
        }
        defer { for contender in contenders where contender.process.isRunning { contender.process.terminate() } }
        for index in contenders.indices {
            try await Wrk.waitUntilServing(contenders[index].port)
            _ = try load(wrk, port: contenders[index].port, seconds: 2)  // warm-up
            contenders[index].rssBefore = Wrk.rss(contenders[index].process.processIdentifier)
        }
        print(
            "zcbench http: GET /json → {\"message\":\"Hello, World!\"}; wrk -t\(threads) -c\(connections) -d\(seconds)s --latency, keep-alive, loopback; \(rounds) rounds each, alternating"
        )
        let width = 24
        for round in 1...rounds {
            for index in contenders.indices {
                let result = try load(wrk, port: contenders[index].port, seconds: seconds)
                contenders[index].rounds.append(result)
                print(
                    "  round \(round) \(contenders[index].name.padding(toLength: width, withPad: " ", startingAt: 0)) "
                        + "\(Format.number(result.requestsPerSecond)) req/s  p50 \(Format.ms(result.p50))  p99 \(Format.ms(result.p99))"
                        + (result.errors.map { "  \($0)" } ?? ""))
            }
        }
        for index in contenders.indices {
            contenders[index].rssAfter = Wrk.rss(contenders[index].process.processIdentifier)
        }
        print("")
        for contender in contenders {
            let total = contender.rounds.reduce(0.0) { $0 + $1.requestsPerSecond * Double(seconds) }
            print(
                "\(contender.name.padding(toLength: width, withPad: " ", startingAt: 0)) median \(Format.number(Wrk.median(contender.rounds.map(\.requestsPerSecond)))) req/s, "
                    + "p50 \(Format.ms(Wrk.median(contender.rounds.map(\.p50)))), p99 \(Format.ms(Wrk.median(contender.rounds.map(\.p99)))); "
                    + "RSS \(Format.number(Double(contender.rssBefore) / 1024, decimals: 1)) → \(Format.number(Double(contender.rssAfter) / 1024, decimals: 1)) MiB "
                    + "over \(Format.number(total)) requests")
        }
        // Stop the servers so their logs are complete before counting the lines.
        for contender in contenders where contender.log != nil {
            contender.process.terminate()
            contender.process.waitUntilExit()
        }
        for contender in contenders {
            guard let (lines, bytes) = contender.log?.totals() else { continue }
            print(
                "\(contender.name.padding(toLength: width, withPad: " ", startingAt: 0)) wrote \(Format.number(Double(lines))) access-log lines "
                    + "(\(Format.number(Double(bytes) / 1_048_576, decimals: 1)) MiB)")
        }
        if let theirs = contenders.first(where: { $0.name == "Hummingbird 2" })?.rounds {
            for contender in contenders where contender.name != "Hummingbird 2" {
                let ours = contender.rounds
                print(
                    "ratio \(contender.name) / Hummingbird: throughput \(Format.number(Wrk.median(ours.map(\.requestsPerSecond)) / Wrk.median(theirs.map(\.requestsPerSecond)), decimals: 2))×, "
                        + "p99 \(Format.number(Wrk.median(ours.map(\.p99)) / Wrk.median(theirs.map(\.p99)), decimals: 2))×"
                )
            }
        }
    }

    private func start(
        _ name: String, executable: String, arguments: [String], port: Int, log: LogPipeReader? = nil
    ) throws -> Contender {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        if let log {
            process.standardError = log.pipe
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return Contender(name: name, process: process, port: port, log: log)
    }

    private func load(_ wrk: Wrk, port: Int, seconds: Int) throws -> Round {
        try wrk.run("http://127.0.0.1:\(port)/json", threads: threads, connections: connections, seconds: seconds)
    }
}
