import Foundation
import ZCCore
import ZCPlatform

/// `zcplatform cluster status`: one line per node, then the leader.
enum ClusterStatusTable {
    static func render(_ report: FleetReports.ClusterNodes, now: Timestamp) -> String {
        var rows = [["NODE", "STATE", "HEARTBEAT", "ADDRESS", "TENANTS", "RESERVED / CAPACITY", "LEADER"]]
        for entry in report.nodes {
            let node = entry.node
            let age = max(0, now.seconds - node.lastHeartbeat.seconds)
            rows.append([
                node.id, node.state.rawValue, "\(age)s ago", node.address, String(entry.tenants),
                "\(ByteSize.format(node.memoryReserved)) / \(ByteSize.format(node.memoryCapacity))",
                report.leader?.holder == node.id ? "term \(report.leader?.term ?? 0)" : "",
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        if report.nodes.isEmpty { lines.append("no node has recorded itself yet") }
        lines.append(report.leader.map { "leader: \($0.holder), term \($0.term)" } ?? "leader: none")
        return lines.joined(separator: "\n")
    }
}
