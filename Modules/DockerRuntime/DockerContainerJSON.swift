import Foundation
import ZCCore

/// `GET /containers/{id}/json`, the parts the platform reads.
struct DockerInspect: Decodable {
    struct StateJSON: Decodable {
        let Status: String
        let StartedAt: String?
        let ExitCode: Int?
        let Pid: Int?
    }

    struct ConfigJSON: Decodable {
        let Labels: [String: String]?
    }

    let Id: String
    let Name: String
    let State: StateJSON
    let Config: ConfigJSON?

    var info: ContainerInfo {
        let current = self.State
        let state = ContainerInfo.State(rawValue: current.Status) ?? .dead
        return ContainerInfo(
            id: ContainerID(Id), name: DockerInspect.trimmedName(Name), state: state,
            startedAt: state == .running ? current.StartedAt.flatMap(DockerInspect.timestamp) : nil,
            exitCode: state == .running ? nil : current.ExitCode, labels: self.Config?.Labels ?? [:])
    }

    static func trimmedName(_ name: String) -> String {
        name.hasPrefix("/") ? String(name.dropFirst()) : name
    }

    /// Docker's RFC 3339 times carry nanoseconds (`2026-11-29T05:20:01.123456789Z`); whole seconds are
    /// kept. The zero time (`0001-01-01T00:00:00Z`) means never.
    static func timestamp(_ text: String) -> Timestamp? {
        guard !text.hasPrefix("0001-") else { return nil }
        var trimmed = text
        if let dot = trimmed.firstIndex(of: ".") {
            let rest = trimmed[dot...].drop { $0 == "." || $0.isNumber }
            trimmed = String(trimmed[..<dot]) + rest
        }
        return Timestamp(iso8601: trimmed)
    }
}

/// One entry of `GET /containers/json`.
struct DockerListEntry: Decodable {
    let Id: String
    let Names: [String]?
    let State: String
    let Labels: [String: String]?

    var info: ContainerInfo {
        ContainerInfo(
            id: ContainerID(Id), name: DockerInspect.trimmedName(Names?.first ?? Id),
            state: ContainerInfo.State(rawValue: State) ?? .dead, startedAt: nil, exitCode: nil,
            labels: Labels ?? [:])
    }
}

/// `GET /containers/{id}/stats?stream=false&one-shot=true`, the parts the platform reads.
struct DockerStats: Decodable {
    struct CPU: Decodable {
        struct Usage: Decodable { let total_usage: UInt64? }
        let cpu_usage: Usage?
    }

    struct Memory: Decodable {
        let usage: Int64?
        let limit: Int64?
        let stats: [String: Int64]?
    }

    struct Network: Decodable {
        let rx_bytes: Int64?
        let tx_bytes: Int64?
    }

    struct Pids: Decodable { let current: Int64? }

    let cpu_stats: CPU?
    let memory_stats: Memory?
    let networks: [String: Network]?
    let pids_stats: Pids?

    func stats(sampledAt: UInt64) -> ContainerStats {
        // As `docker stats` does: the page cache the kernel may drop is not the agent's memory.
        let usage = memory_stats?.usage ?? 0
        let cache = memory_stats?.stats?["inactive_file"] ?? memory_stats?.stats?["total_inactive_file"] ?? 0
        let networks = networks?.values ?? [:].values
        return ContainerStats(
            cpuNanoseconds: cpu_stats?.cpu_usage?.total_usage ?? 0, memBytes: max(0, usage - cache),
            memLimit: memory_stats?.limit ?? 0, netIn: networks.reduce(0) { $0 + ($1.rx_bytes ?? 0) },
            netOut: networks.reduce(0) { $0 + ($1.tx_bytes ?? 0) }, pids: pids_stats?.current ?? 0,
            sampledAtNanoseconds: sampledAt)
    }
}

/// `GET /exec/{id}/json`.
struct DockerExecInspect: Decodable {
    let Running: Bool
    let ExitCode: Int?
    let Pid: Int?
}
