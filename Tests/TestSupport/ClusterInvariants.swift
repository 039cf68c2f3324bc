import Foundation
import Synchronization

/// Watches a cluster test's agents from outside every node: it polls `/proc` for the agent processes whose
/// `HOME` lies under the cluster's directory (`…/{node}/tenants/{tenant}`, where the process runtime puts
/// each agent; an `exec` in the agent's environment is not one) and records every moment at which one
/// tenant has two agents at once, on one node or two. It also keeps the tenants whose creation was acknowledged, for `missing(in:)` to check against the
/// database at the end. Every cluster test runs one: `TestCluster` starts it and checks it when done.
public final class ClusterInvariants: Sendable {
    /// One moment a tenant had more than one agent: where each ran.
    public struct DoubleAgent: Sendable, CustomStringConvertible {
        public let tenant: String
        public let nodes: [String]
        public let at: Date
        public var description: String { "\(tenant) on \(nodes.joined(separator: " and ")) at \(at)" }
    }

    let root: String
    let every: Duration
    private let state = Mutex<(doubles: [DoubleAgent], acknowledged: [String], polls: Int)>(([], [], 0))
    private let stopped = Atomic<Bool>(false)

    /// `root`: the cluster's directory, holding each node's `{node}/tenants`.
    public init(root: String, every: Duration = .milliseconds(50)) {
        self.root = root.hasSuffix("/") ? root : root + "/"
        self.every = every
    }

    /// Polls on a thread of its own until `stop()`.
    public func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                record(census())
                Thread.sleep(forTimeInterval: Double(every.components.attoseconds) / 1e18)
            }
        }
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .releasing) }

    /// A tenant's creation was acknowledged (its 201 arrived).
    public func acknowledged(_ tenant: String) {
        state.withLock { $0.acknowledged.append(tenant) }
    }

    public var doubleAgents: [DoubleAgent] { state.withLock { $0.doubles } }
    public var acknowledgedTenants: [String] { state.withLock { $0.acknowledged } }
    public var polls: Int { state.withLock { $0.polls } }

    /// The running agents now: tenant → the nodes its agent processes run under (one entry per process).
    public func census() -> [String: [String]] {
        var agents: [String: [String]] = [:]
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return agents }
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let home = Self.home(of: entry), home.hasPrefix(root) else { continue }
            // {node}/tenants/{tenant}
            let parts = home.dropFirst(root.count).split(separator: "/")
            guard parts.count >= 3, parts[1] == "tenants" else { continue }
            guard !Self.isZombie(entry), Self.isAgent(entry) else { continue }
            agents[String(parts[2]), default: []].append(String(parts[0]))
        }
        return agents
    }

    /// The acknowledged tenants that `present` (the ids the database holds) lacks.
    public func missing(from present: Set<String>) -> [String] {
        acknowledgedTenants.filter { !present.contains($0) }
    }

    private func record(_ agents: [String: [String]]) {
        let doubles = agents.filter { $0.value.count > 1 }.map {
            DoubleAgent(tenant: $0.key, nodes: $0.value.sorted(), at: Date())
        }
        state.withLock {
            $0.doubles += doubles
            $0.polls += 1
        }
    }

    /// `HOME` in the process's environment, if readable.
    static func home(of pid: String) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        for entry in data.split(separator: 0) where entry.starts(with: Array("HOME=".utf8)) {
            return String(decoding: entry.dropFirst(5), as: UTF8.self)
        }
        return nil
    }

    /// An agent runs the agent command alone, or with `daemon` (a rollout's next release: the process
    /// runtime's image is its command line); a command run in its environment (`exec`: `zeroclaw
    /// status`) has other arguments.
    static func isAgent(_ pid: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0)
        return arguments.count == 1 || (arguments.count == 2 && arguments[1].elementsEqual("daemon".utf8))
    }

    static func isZombie(_ pid: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
