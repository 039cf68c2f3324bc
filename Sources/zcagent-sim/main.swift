import Foundation
import ZCHTTP
import ZCTOML

/// `zcagent-sim`: a stand-in for the ZeroClaw agent, for tests and demos (ZeroClaw itself is not
/// available here). It speaks the gateway's endpoints and can be told to misbehave.
///
///     zcagent-sim daemon [--mode M] serve the gateway (port: ZEROCLAW_gateway__port, else [gateway] port of
///                               $HOME/.zeroclaw/config.toml, else 42617; host: ZEROCLAW_gateway__host)
///     zcagent-sim status        print a status line, exit 0 (the target of `exec`)
///     zcagent-sim sleep N       sleep N seconds (exec timeouts)
///     zcagent-sim exit N        exit with status N
///
/// Like ZeroClaw, `/health` answers 200 with `runtime.components`: `gateway` and `scheduler`, and
/// `channel:KIND` for every `[channels.KIND.*]` table with `enabled = true` (a channel whose first secret
/// starts with `sim-bad` reports `error`, its restart count rising, as a rejected token does); `/metrics`
/// answers a comment alone unless `[observability] backend = "prometheus"` (or with `[simulator] metrics =
/// "off"`, as a build without the Prometheus feature); and a lowercase
/// `ZEROCLAW_*` variable that names no config path stops it at boot.
///
/// Control while serving: POST /sim/mode with `healthy`, `unhealthy`, `degraded` (the scheduler reports
/// an error), `slow` or `crash` as the body;
/// with `?persist=1` the mode is also written to `$HOME/.zeroclaw/state/sim-mode`, so it survives a
/// restart (a fault that a restart does not cure; `healthy` with `?persist=1` removes the file). The
/// first mode comes from ZCSIM_MODE, else that file, else `[simulator] mode` in the config. In `crash`
/// mode from the start it exits at once with status 3. POST /sim/traffic with `off` stops the simulated
/// exchanges (its counters hold still, for tests that compare them with what was metered), `on` resumes.
/// One unbuffered line on stdout, so `docker logs` and the platform see it at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "status":
    say("zeroclaw status: running (zcagent-sim, the zcplatform agent simulator)")
    exit(0)
case "sleep":
    let seconds = Double(arguments.dropFirst().first ?? "1") ?? 1
    usleep(UInt32(min(seconds, 3600) * 1_000_000))
    exit(0)
case "exit":
    exit(Int32(arguments.dropFirst().first ?? "0") ?? 0)
case "daemon", nil:
    break
default:
    FileHandle.standardError.write(Data("zcagent-sim: unknown command \(arguments[0])\n".utf8))
    exit(2)
}

let environment = ProcessInfo.processInfo.environment
// ZeroClaw maps `ZEROCLAW_a__b` onto the config path `a.b` and refuses to boot on one that names no path.
let configPaths: Set<String> = [
    "ZEROCLAW_gateway__host", "ZEROCLAW_gateway__port", "ZEROCLAW_gateway__allow_public_bind",
    "ZEROCLAW_observability__backend",
]
for name in environment.keys.sorted() where name.hasPrefix("ZEROCLAW_") && name.contains(where: \.isLowercase) {
    guard configPaths.contains(name) else {
        FileHandle.standardError.write(
            Data("zcagent-sim: \(name) names no config path; refusing to start (as ZeroClaw does)\n".utf8))
        exit(78)
    }
}
let configuration: TOMLTable? = {
    let home = environment["HOME"] ?? "/zeroclaw-data"
    for path in ["\(home)/.zeroclaw/config.toml", "/zeroclaw-data/.zeroclaw/config.toml"] {
        if let data = FileManager.default.contents(atPath: path), let table = try? TOML.decode(bytes: Array(data)) {
            return table
        }
    }
    return nil
}()
let port =
    environment["ZEROCLAW_gateway__port"].flatMap(Int.init) ?? configuration?.value(atPath: ["gateway", "port"])?.int
    ?? 42617
let host =
    environment["ZEROCLAW_gateway__host"] ?? configuration?.value(atPath: ["gateway", "host"])?.string ?? "127.0.0.1"
// ZeroClaw serves /metrics only with `[observability] backend = "prometheus"`; so does the simulator.
// `[simulator] metrics = "off"` plays a ZeroClaw built without its Prometheus feature: the backend is
// asked for and still only the comment answers.
let metricsEnabled =
    (environment["ZEROCLAW_observability__backend"]
        ?? configuration?.value(atPath: ["observability", "backend"])?.string) == "prometheus"
    && configuration?.value(atPath: ["simulator", "metrics"])?.string != "off"
// The first mode: ZCSIM_MODE, else a persisted mode, else `[simulator] mode` of the config (how a test
// deploys a failing agent).
let modeFile = "\(environment["HOME"] ?? "/zeroclaw-data")/.zeroclaw/state/sim-mode"
let persistedMode = FileManager.default.contents(atPath: modeFile).map {
    String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
// `daemon --mode MODE` sets it too (how a test names a misbehaving release for the process runtime,
// whose image is its command line).
let modeArgument = arguments.firstIndex(of: "--mode").flatMap {
    arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil
}
let firstMode =
    modeArgument ?? environment["ZCSIM_MODE"] ?? persistedMode ?? configuration?.value(atPath: ["simulator", "mode"])?
    .string ?? ""
// The channels the config enables, schema 3 (`[channels.KIND.ALIAS] enabled = true`), with whether each
// was given a token the simulated service rejects.
let channels: [(kind: String, rejected: Bool)] = {
    guard case .table(let kinds)? = configuration?.value(atPath: ["channels"]) else { return [] }
    var found: [(String, Bool)] = []
    for (kind, aliases) in kinds {
        guard case .table(let aliases) = aliases else { continue }
        for (_, channel) in aliases {
            guard case .table(let fields) = channel, fields["enabled"] == .boolean(true) else { continue }
            let rejected = fields.contains { _, value in
                if case .string(let text) = value { text.hasPrefix("sim-bad") } else { false }
            }
            found.append((kind, rejected))
        }
    }
    return found.sorted { $0.0 < $1.0 }
}()
let state = SimulatorState(mode: SimulatorState.Mode(rawValue: firstMode) ?? .healthy, channels: channels)

struct Gateway: HTTPResponder {
    let state: SimulatorState

    func respond(to request: HTTPRequest, info: HTTPRequestInfo) async -> HTTPResponse {
        switch (request.method, request.path) {
        case (.get, "/health"):
            switch state.current {
            case .unhealthy:
                return HTTPResponse(status: .serviceUnavailable, bytes: Array(#"{"status":"unhealthy"}"#.utf8))
            case .slow:
                try? await Task.sleep(for: .seconds(10))
            case .healthy, .degraded, .crash, .erroring:
                break
            }
            return HTTPResponse(headers: ["Content-Type": "application/json"], bytes: Array(state.healthBody().utf8))
        case (.get, "/metrics") where metricsEnabled:
            return HTTPResponse(
                headers: ["Content-Type": "text/plain; version=0.0.4"], bytes: Array(state.metrics().utf8))
        case (.get, "/metrics"):
            // ZeroClaw's answer with another observability backend: 200 and a comment, no sample.
            return HTTPResponse(
                headers: ["Content-Type": "text/plain; version=0.0.4"],
                bytes: Array(
                    "# Prometheus backend not enabled. Set [observability] backend = \"prometheus\" in config.\n".utf8))
        case (.post, "/sim/traffic"):
            let text = String(decoding: request.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text == "on" || text == "off" else {
                return HTTPResponse(status: .badRequest, bytes: Array("on or off\n".utf8))
            }
            state.setTraffic(text == "on")
            return HTTPResponse(status: .noContent)
        case (.post, "/sim/mode"):
            let text = String(decoding: request.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let mode = SimulatorState.Mode(rawValue: text) else {
                return HTTPResponse(
                    status: .badRequest, bytes: Array("modes: healthy unhealthy degraded slow crash\n".utf8))
            }
            say("zcagent-sim: mode \(mode.rawValue)")
            state.set(mode)
            if request.queryParameter("persist") == "1" {
                if mode == .healthy {
                    try? FileManager.default.removeItem(atPath: modeFile)
                } else {
                    try? Data(mode.rawValue.utf8).write(to: URL(fileURLWithPath: modeFile))
                }
            }
            if mode == .crash {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) {
                    say("zcagent-sim: crashing as asked")
                    exit(1)
                }
            }
            return HTTPResponse(status: .noContent)
        default:
            return HTTPResponse(status: .notFound, bytes: Array("not found\n".utf8))
        }
    }
}

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let termination = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
let interruption = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
for source in [termination, interruption] {
    source.setEventHandler {
        say("zcagent-sim: shutting down")
        exit(0)
    }
    source.resume()
}
let traffic = DispatchSource.makeTimerSource(queue: .global())
traffic.schedule(deadline: .now() + 1, repeating: 1)
traffic.setEventHandler {
    guard state.trafficOn else { return }
    state.simulateTraffic()
    if Int.random(in: 0..<4) == 0 { say("zeroclaw: handled a message (simulated)") }
}
traffic.resume()

// Like the agent, keep state in the data volume: a read-only or foreign-owned directory shows here.
let stateDirectory = "\(environment["HOME"] ?? "/zeroclaw-data")/.zeroclaw/state"
do {
    try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
    try Data("\(Int(Date().timeIntervalSince1970))\n".utf8).write(
        to: URL(fileURLWithPath: "\(stateDirectory)/last-start"))
} catch {
    say("zcagent-sim: warning: cannot write \(stateDirectory): \(error.localizedDescription)")
}

if state.current == .crash {
    say("zcagent-sim: crashing at start, as configured")
    exit(3)
}

let server = HTTPServer(
    configuration: HTTPServerConfiguration(host: host, port: port, loops: 1), responder: Gateway(state: state),
    onListening: { say("zeroclaw gateway listening on \(host):\($0) (zcagent-sim)") })
do {
    try await server.run()
} catch {
    FileHandle.standardError.write(Data("zcagent-sim: cannot serve on \(host):\(port): \(error)\n".utf8))
    exit(1)
}
