import Foundation
import Synchronization
import ZCCore

/// A runtime whose agents exist only as records (created, running, exited) and whose gateways one
/// `HealthResponder` answers: the rollout benchmark's, where what is left of an update's cost is the
/// platform's own (the store, the config files, the bookkeeping, the health probes).
final class SimulatedAgents: ContainerRuntime {
    let driver = "simulated"
    let isolated = true
    private let containers = Mutex<[String: ContainerInfo]>([:])
    /// Calls that change an agent, counted.
    let changes = Atomic<Int>(0)

    func ping() async throws {}
    func pinImage(_ reference: String) async throws -> String {
        reference.contains("@sha256:") ? reference : reference + "@sha256:" + String(repeating: "0", count: 64)
    }

    func create(_ spec: ContainerSpec) async throws -> ContainerID {
        changes.add(1, ordering: .relaxed)
        let info = ContainerInfo(
            id: ContainerID(spec.name), name: spec.name, state: .created, startedAt: nil, exitCode: nil,
            labels: spec.labels)
        containers.withLock { $0[spec.name] = info }
        return ContainerID(spec.name)
    }

    private func update(_ id: ContainerID, _ change: (inout ContainerInfo) -> Void) throws {
        changes.add(1, ordering: .relaxed)
        try containers.withLock { containers in
            guard var info = containers[id.rawValue] else { throw ContainerRuntimeError.notFound(id) }
            change(&info)
            containers[id.rawValue] = info
        }
    }

    func start(_ id: ContainerID) async throws {
        try update(id) {
            $0.state = .running
            $0.startedAt = .now()
        }
    }
    func stop(_ id: ContainerID, timeout: Duration) async throws { try update(id) { $0.state = .exited } }
    func restart(_ id: ContainerID, timeout: Duration) async throws {
        try update(id) {
            $0.state = .running
            $0.startedAt = .now()
        }
    }
    func remove(_ id: ContainerID, force: Bool) async throws {
        changes.add(1, ordering: .relaxed)
        containers.withLock { _ = $0.removeValue(forKey: id.rawValue) }
    }
    func inspect(_ id: ContainerID) async throws -> ContainerInfo? { containers.withLock { $0[id.rawValue] } }
    func list(labels: [String: String]) async throws -> [ContainerInfo] {
        containers.withLock { Array($0.values) }.filter { info in labels.allSatisfy { info.labels[$0.key] == $0.value }
        }
    }
    func logs(_ id: ContainerID, options: LogOptions, _ line: @Sendable (LogLine) async throws -> Void) async throws {}
    func exec(_ id: ContainerID, _ request: ExecRequest) async throws -> ExecResult {
        ExecResult(output: "", exitCode: 0)
    }
    func stats(_ id: ContainerID) async throws -> ContainerStats {
        ContainerStats(
            cpuNanoseconds: 0, memBytes: 0, memLimit: 256 << 20, netIn: 0, netOut: 0, pids: 1,
            sampledAtNanoseconds: DispatchTime.now().uptimeNanoseconds)
    }
    func shutdown() async {}
}

/// Answers `GET /health` (and anything else) with 200 on every port of a range, from one thread that
/// polls all the listening sockets: a thousand simulated gateways for the price of one.
final class HealthResponder: Sendable {
    private let listeners: [Int32]
    private let stopped = Atomic<Bool>(false)

    init(host: String, ports: ClosedRange<Int>) throws {
        var opened: [Int32] = []
        for port in ports {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard socket >= 0 else { throw BenchmarkError("socket: \(String(cString: strerror(errno)))") }
            var yes: Int32 = 1
            setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0, listen(socket, 64) == 0 else {
                close(socket)
                opened.forEach { close($0) }
                throw BenchmarkError("cannot listen on \(host):\(port): \(String(cString: strerror(errno)))")
            }
            opened.append(socket)
        }
        listeners = opened
        let thread = Thread { [self] in serve() }
        thread.name = "health-responder"
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        usleep(300_000)
        listeners.forEach { close($0) }
    }

    private func serve() {
        let body = #"{"status":"ok","runtime":{"components":{"gateway":{"status":"ok"}}}}"#
        let answer = Array(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                .utf8)
        var polled = listeners.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.load(ordering: .acquiring) {
            guard poll(&polled, nfds_t(polled.count), 100) > 0 else { continue }
            for index in polled.indices where polled[index].revents != 0 {
                polled[index].revents = 0
                while true {
                    let client = accept(polled[index].fd, nil, nil)
                    guard client >= 0 else { break }
                    // The probe's request fits one read; the answer is sent whole and the connection closed.
                    var waiting = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
                    _ = poll(&waiting, 1, 1000)
                    _ = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                    _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    close(client)
                }
            }
        }
    }
}
