import Foundation
import ZCCore
import ZCCrypto
import ZCHTTP
import ZCPlatform

/// `zcbench console`: what the web console costs at 1,000 tenants.
/// - the server time of the fleet page's data, `GET /api/fleet` (goal under 20 ms), beside the three
///   monitoring calls an operator would otherwise join with jq (resources, usage, health), interleaved in
///   one run, through the router without sockets;
/// - the bytes of a first load (every file, gzipped as served) and of a live refresh (a 304, or the table
///   gzipped when a row changed);
/// - with Chromium and Playwright for Python here, the browser's own figures: time to interactive and the
///   bytes on the wire (`Tests/Browser/console_load.py`).
struct ConsoleBenchmark {
    var tenants = 1000
    var rounds = 300
    /// The Playwright script; nil skips the browser's part.
    var browserScript: String? = "Tests/Browser/console_load.py"

    func run() async throws {
        let directory = NSTemporaryDirectory() + "zcbench-console-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = [
            "ZCPLATFORM_STORE_PATH": "\(directory)/zcplatform.db",
            "ZCPLATFORM_VAULT_KEY_PATH": "\(directory)/vault.key",
            "ZCPLATFORM_RUNTIME_DATA_DIR": "\(directory)/tenants", "ZCPLATFORM_SERVER_PORT": "0",
            "ZCPLATFORM_SERVER_HOST": "127.0.0.1", "ZCPLATFORM_RUNTIME_DRIVER": "process",
            "ZCPLATFORM_CLUSTER_MEMORY_CAPACITY": "1024GiB", "ZCPLATFORM_SERVER_ACCESS_LOG": "false",
        ]
        let configuration = try ConfigurationLoader.load(
            explicitPath: nil, environment: environment, context: .detect(), workingDirectory: directory)
        let platform = try await Platform.open(configuration, logger: .disabled)
        let token = try await BenchmarkFleet.seed(platform.store, node: configuration.cluster.nodeID, tenants: tenants)
        print("zcbench console: \(tenants) tenants running, each with a resource snapshot and today's usage (SQLite)")

        let responder = platform.api.responder
        let auth: HTTPHeaders = ["Authorization": "Bearer \(token.value)", "Accept-Encoding": "gzip"]
        func call(_ target: String, _ headers: HTTPHeaders = auth) async -> HTTPResponse {
            await responder.test(.get, target, headers: headers)
        }
        var fleet = Samples()
        var conditional = Samples()
        var trio = Samples()
        let first = await call("/api/fleet")
        guard first.status == .ok, let etag = first.headers["ETag"] else {
            throw BenchmarkError("GET /api/fleet answered \(first.status)")
        }
        var unchanged = auth
        unchanged.add("If-None-Match", etag)
        for round in 0..<(rounds + 20) {
            let (_, table) = await Clock.measure { await call("/api/fleet") }
            let (_, current) = await Clock.measure { await call("/api/fleet", unchanged) }
            let (_, joined) = await Clock.measure {
                _ = await call("/api/monitoring/resources")
                _ = await call("/api/monitoring/usage")
                _ = await call("/api/monitoring/health")
            }
            guard round >= 20 else { continue }  // warm-up
            fleet.add(table)
            conditional.add(current)
            trio.add(joined)
        }
        func line(_ name: String, _ samples: Samples) {
            print(
                "  \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) p50 \(Format.ms(samples.percentile(50)))"
                    + "  p99 \(Format.ms(samples.percentile(99)))")
        }
        print("server time, \(rounds) rounds interleaved (router, no sockets):")
        line("GET /api/fleet (gzip)", fleet)
        line("GET /api/fleet, If-None-Match current (304)", conditional)
        line("monitoring resources + usage + health (the jq way)", trio)
        print(
            "  the fleet table in one call takes \(Format.number(fleet.percentile(50) / trio.percentile(50), decimals: 2))x"
                + " the time of the three it replaces (goal: under 20 ms at 1,000 tenants)")

        let plain = await call("/api/fleet", ["Authorization": "Bearer \(token.value)"])
        let assets = ConsoleAssetsReport(await filesServed(responder))
        print("bytes (bodies as served with Accept-Encoding: gzip):")
        print(
            "  console files: \(assets.plain) B, \(assets.gzipped) B gzipped (JS + CSS \(assets.code) B; budget 60,000)"
        )
        print(
            "  fleet table: \(bodySize(plain)) B, \(bodySize(first)) B gzipped; a refresh with nothing changed: 304, 0 B"
        )

        if let script = browserScript, FileManager.default.fileExists(atPath: script) {
            try await browser(platform, script: script, token: token.value)
        } else {
            print("browser: skipped (no \(browserScript ?? "script"); run from the repository's root)")
        }
        await platform.close()
    }

    private func bodySize(_ response: HTTPResponse) -> Int {
        if case .bytes(let bytes) = response.body { return bytes.count }
        return 0
    }

    private func filesServed(_ responder: RouterResponder) async -> [(name: String, plain: Int, gzipped: Int)] {
        var sizes: [(String, Int, Int)] = []
        for name in ["/", "/ui/app.js", "/ui/api.js", "/ui/dom.js", "/ui/fleet.js", "/ui/console.css", "/ui/icon.svg"]
            + ["/ui/tenant.js", "/ui/chart.js", "/ui/audit.js", "/ui/admin.js", "/ui/rollouts.js"]
        {
            let plain = await responder.test(.get, name)
            let zipped = await responder.test(.get, name, headers: ["Accept-Encoding": "gzip"])
            sizes.append((name, bodySize(plain), bodySize(zipped)))
        }
        return sizes
    }

    struct ConsoleAssetsReport {
        let plain: Int
        let gzipped: Int
        let code: Int
        init(_ sizes: [(name: String, plain: Int, gzipped: Int)]) {
            plain = sizes.reduce(0) { $0 + $1.plain }
            gzipped = sizes.reduce(0) { $0 + $1.gzipped }
            code = sizes.filter { $0.name.hasSuffix(".js") || $0.name.hasSuffix(".css") }.reduce(0) { $0 + $1.plain }
        }
    }

    /// Serves the API on a port and lets the Playwright script load the console against it.
    private func browser(_ platform: Platform, script: String, token: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await platform.api.run() }
            let port = try await platform.api.port()
            let output = try await Self.runScript([
                "/usr/bin/env", "python3", script, "--base", "http://127.0.0.1:\(port)", "--token", token,
                "--rows", String(tenants),
            ])
            print("browser (Chromium, Playwright):")
            print(output, terminator: "")
            group.cancelAll()
        }
    }

    private static func runScript(_ argv: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: argv[0])
                process.arguments = Array(argv.dropFirst())
                let pipe = Pipe()
                process.standardOutput = pipe
                do {
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else {
                        throw BenchmarkError("\(argv[2]) exited with \(process.terminationStatus)")
                    }
                    continuation.resume(returning: String(decoding: data, as: UTF8.self))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
