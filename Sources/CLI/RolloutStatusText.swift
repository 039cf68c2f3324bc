import ZCCore
import ZCPlatform

/// `rollout status` and `rollout list` as text for a terminal.
enum RolloutStatusText {
    static func render(_ detail: RolloutService.Detail) -> String {
        let rollout = detail.rollout
        let done = detail.tenants.filter(\.state.isSettled).count
        var lines = [
            "\(rollout.id)  \(rollout.state.rawValue)  \(rollout.image)",
            "progress: \(done)/\(detail.tenants.count) done"
                + (detail.waiting.isEmpty ? "" : ", \(detail.waiting.count) waiting"),
            "canary \(rollout.canary), batches of \(rollout.batchSize), health gate \(rollout.healthSeconds) s, "
                + "max failures \(rollout.maxFailures)\(rollout.pauseAfterCanary ? ", pause after the canary" : "")",
        ]
        if let reason = rollout.reason { lines.append("reason: \(reason)") }
        for node in detail.nodes {
            lines.append("node \(node.nodeID): \(node.pinned ?? "failed: \(node.error ?? "")")")
        }
        lines.append("")
        let width = max(6, detail.tenants.map(\.tenantID.rawValue.count).max() ?? 6)
        lines.append("TENANT".padding(toLength: width + 2, withPad: " ", startingAt: 0) + "BATCH  STATE         NOTE")
        for row in detail.tenants {
            let note = detail.waiting[row.tenantID] ?? row.error ?? ""
            lines.append(
                row.tenantID.rawValue.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                    + String(row.batch).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + row.state.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0) + note)
        }
        return lines.joined(separator: "\n")
    }

    static func list(_ rollouts: [(Rollout, [RolloutTenant])]) -> String {
        guard !rollouts.isEmpty else { return "no rollouts" }
        return rollouts.map { rollout, rows in
            let done = rows.filter(\.state.isSettled).count
            return "\(rollout.id)  \(rollout.state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))  "
                + "\(done)/\(rows.count)  \(rollout.createdAt)  \(rollout.image)"
        }.joined(separator: "\n")
    }
}
