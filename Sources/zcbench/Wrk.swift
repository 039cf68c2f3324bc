import Foundation

/// wrk, the load generator an operator would use: one run against one URL, its requests per second and
/// latency percentiles read from `--latency`'s output.
struct Wrk {
    let path: String

    struct Round {
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        /// Socket errors and non-2xx answers, as wrk words them; nil when there were none.
        var errors: String?
    }

    init() throws {
        guard let path = Self.which("wrk") else { throw BenchmarkError("wrk is not installed (apt-get install wrk)") }
        self.path = path
    }

    /// `wrk -tT -cC -dSs --latency [-H header]… [-s script] URL`.
    func run(
        _ url: String, threads: Int = 1, connections: Int, seconds: Int, headers: [String] = [],
        script: String? = nil
    ) throws -> Round {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        var arguments = ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency"]
        for header in headers { arguments += ["-H", header] }
        if let script { arguments += ["-s", script] }
        process.arguments = arguments + [url]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        func field(_ prefix: String) -> String? {
            output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
                .map {
                    $0.trimmingCharacters(in: .whitespaces).dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
                }
        }
        let errors = output.split(separator: "\n").filter { $0.contains("Socket errors") || $0.contains("Non-2xx") }
        return Round(
            requestsPerSecond: Double(field("Requests/sec:") ?? "") ?? 0, p50: Self.seconds(field("50%") ?? ""),
            p99: Self.seconds(field("99%") ?? ""), errors: errors.isEmpty ? nil : errors.joined(separator: "; "))
    }

    /// Until something accepts connections on the port (10 s at most).
    static func waitUntilServing(_ port: Int, host: String = "127.0.0.1") async throws {
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr(host)
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if status == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError("nothing answers on port \(port)")
    }

    /// wrk's `1.23ms`, `456.00us`, `1.01s` in seconds.
    static func seconds(_ text: String) -> Double {
        let units: [(String, Double)] = [("us", 1e-6), ("ms", 1e-3), ("s", 1)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            return (Double(text.dropLast(unit.count)) ?? 0) * scale
        }
        return 0
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// A process's resident memory in KiB.
    static func rss(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    static func which(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
