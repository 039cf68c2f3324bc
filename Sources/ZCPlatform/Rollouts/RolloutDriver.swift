import ZCCore

/// Drives the rollouts, on the leader alone: checks that every node pinned the image before anything is
/// touched, hands each batch to its tenants' nodes (a tenant row set `updating`, its node signalled),
/// halts on `max_failures` and has the batch in flight rolled back, pauses after the canary when asked,
/// and completes (the leader's alert evaluation fires `RolloutHalted` from the state it leaves). It keeps nothing in memory: each step reads the rollout from the store, so a new
/// leader (or this one after kill -9) goes on from where the last step left it. Every node keeps
/// `zcplatform_rollout_tenants{state}` current from the store.
final class RolloutDriver: Service {
    let name = "rollout-driver"
    let store: any Store
    let isLeader: @Sendable () -> Bool
    let logger: Logger
    let wakeup: Wakeup
    /// Wakes the other half on this node (the worker for the driver, the driver for the worker): on a
    /// store without signals (SQLite) nothing else would before its next look.
    let wakePeer: @Sendable () -> Void
    /// How often it looks while a rollout is unfinished, and while none is.
    let activeInterval: Duration
    let idleInterval: Duration
    private let tenantsGauge: Gauge
    private let rolloutsGauge: Gauge

    init(
        store: any Store, isLeader: @escaping @Sendable () -> Bool, metrics: MetricsRegistry,
        logger: Logger, activeInterval: Duration = .seconds(1), idleInterval: Duration = .seconds(15),
        wakeup: Wakeup = Wakeup(),
        wakePeer: @escaping @Sendable () -> Void = {}
    ) {
        self.wakeup = wakeup
        self.wakePeer = wakePeer
        self.store = store
        self.isLeader = isLeader
        self.logger = logger
        self.activeInterval = activeInterval
        self.idleInterval = idleInterval
        tenantsGauge = metrics.gauge(
            "zcplatform_rollout_tenants", help: "Tenants of the newest rollout, by their state in it",
            labels: ["state"])
        rolloutsGauge = metrics.gauge(
            "zcplatform_rollouts", help: "Rollouts recorded, by state", labels: ["state"])
    }

    func wake() { wakeup.signal() }

    func run() async throws {
        while !Task.isCancelled {
            var active = false
            do {
                let unfinished = try await store.read { try await $0.unfinishedRollouts() }
                active = !unfinished.isEmpty
                if isLeader() {
                    for rollout in unfinished { try await step(rollout.id) }
                }
                try await updateGauges()
            } catch is CancellationError {
                return
            } catch {
                logger.warning("rollout.step_failed", ["error": "\(error)"])
            }
            _ = await wakeup.wait(upTo: active ? activeInterval : idleInterval)
        }
    }

    private func updateGauges() async throws {
        let (newest, tenants) = try await store.read { reader -> ([Rollout], [RolloutTenant]) in
            let newest = try await reader.rollouts(limit: 1000)
            guard let first = newest.first else { return (newest, []) }
            return (newest, try await reader.rolloutTenants(of: first.id))
        }
        for state in RolloutTenantState.allCases {
            tenantsGauge.set(Double(tenants.filter { $0.state == state }.count), labels: [state.rawValue])
        }
        for state in RolloutState.allCases {
            rolloutsGauge.set(Double(newest.filter { $0.state == state }.count), labels: [state.rawValue])
        }
    }

    /// What a step decided, for the log and the alert (taken after its transaction commits).
    enum Outcome: Sendable {
        case none
        case failed(String)
        case running
        case dispatched(batch: Int, tenants: Int)
        case paused
        case halted(String)
        case rolledBack
        case completed(Int)
    }

    /// One step of rollout `id`, in one transaction.
    func step(_ id: String) async throws {
        let outcome = try await store.withTransaction { transaction -> Outcome in
            guard var rollout = try await transaction.rollout(id) else { return .none }
            let original = rollout.state
            let rows = try await transaction.rolloutTenants(of: id)
            let tenants = try await transaction.tenants(.all)
            let nodes = try await transaction.nodes()
            let outcome = try await self.decide(&rollout, rows: rows, tenants: tenants, nodes: nodes, in: transaction)
            if case .none = outcome { return .none }
            if case .dispatched = outcome {
            } else {
                rollout.updatedAt = .now()
                guard try await transaction.updateRollout(rollout, expecting: original) else { return .none }
            }
            try await transaction.signal(RolloutService.channel, payload: id)
            return outcome
        }
        if case .none = outcome {} else { wakePeer() }
        try await report(id, outcome)
    }

    private func report(_ id: String, _ outcome: Outcome) async throws {
        switch outcome {
        case .none: return
        case .failed(let reason): logger.warning("rollout.failed", ["rollout": id, "reason": reason])
        case .running: logger.notice("rollout.running", ["rollout": id])
        case .dispatched(let batch, let count):
            logger.notice("rollout.batch_started", ["rollout": id, "batch": batch, "tenants": count])
        case .paused: logger.notice("rollout.paused", ["rollout": id, "reason": "after the canary"])
        case .halted(let reason):
            // `RolloutHalted` fires from the leader's alert evaluation, which reads the rollout's state.
            logger.warning("rollout.halted", ["rollout": id, "reason": reason])
        case .rolledBack: logger.warning("rollout.rolled_back", ["rollout": id])
        case .completed(let count): logger.notice("rollout.completed", ["rollout": id, "tenants": count])
        }
    }

    /// Decides the rollout's next state, writing the tenants' rows it hands out or halts.
    private func decide(
        _ rollout: inout Rollout, rows: [RolloutTenant], tenants: [Tenant], nodes: [Node],
        in transaction: any StoreTransaction
    ) async throws -> Outcome {
        let byID = Dictionary(tenants.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Updates on a down node wait for it; they hold up nothing else.
        let down = Set(nodes.filter { $0.state == .down }.map(\.id))
        let inFlight = rows.filter {
            ($0.state == .updating || $0.state == .rollingBack) && !down.contains(byID[$0.tenantID]?.nodeID ?? "")
        }
        switch rollout.state {
        case .pending:
            let prepared = try await transaction.rolloutNodes(of: rollout.id)
            if let broken = prepared.first(where: { $0.error != nil }) {
                let reason = "node \(broken.nodeID) cannot use \(rollout.image): \(broken.error ?? "")"
                rollout.state = .failed
                rollout.reason = reason
                rollout.finishedAt = .now()
                try await audit("rollout.failed", rollout, ["reason": .string(reason)], in: transaction)
                return .failed(reason)
            }
            // Every live node checks the image, tenants in the rollout or not: a new tenant may be placed on
            // any of them with the release, and a rollout of drafts alone is checked all the same.
            let needed = Set(nodes.map(\.id)).subtracting(down)
            guard needed.isSubset(of: Set(prepared.filter { $0.pinned != nil }.map(\.nodeID))) else { return .none }
            rollout.state = .running
            try await audit(
                "rollout.image_checked", rollout,
                ["nodes": .array(prepared.map { .string("\($0.nodeID): \($0.pinned ?? "")") })], in: transaction)
            return .running
        case .running:
            let failures = rows.filter { $0.state == .failed }.count - rollout.failureBase
            if failures >= rollout.maxFailures {
                let failed = rows.filter { $0.state == .failed }.suffix(max(1, failures))
                let reason =
                    "\(failures) failed update\(failures == 1 ? "" : "s") (max_failures \(rollout.maxFailures)): "
                    + failed.prefix(3).map { "\($0.tenantID): \($0.error ?? "failed")" }.joined(separator: "; ")
                let batch = rows.filter { $0.state != .pending }.map(\.batch).max() ?? 0
                var reverting = 0
                for var row in rows where row.batch == batch && (row.state == .healthy || row.state == .updating) {
                    row.state = .rollingBack
                    row.updatedAt = .now()
                    if try await transaction.updateRolloutTenant(row, expecting: [.healthy, .updating]) {
                        reverting += 1
                    }
                }
                rollout.state = .halted
                rollout.reason = String(reason.prefix(1000))
                try await audit(
                    "rollout.halted", rollout,
                    [
                        "reason": .string(rollout.reason ?? ""), "batch": .number(Double(batch)),
                        "rolling_back": .number(Double(reverting)),
                    ], in: transaction)
                try await signalNodes(of: rows.filter { $0.batch == batch }, byID, in: transaction)
                return .halted(rollout.reason ?? reason)
            }
            guard inFlight.isEmpty else { return .none }
            let waiting = Self.waiting(rows, tenants: tenants, nodes: nodes)
            let ready = rows.filter { $0.state == .pending && waiting[$0.tenantID] == nil }
            guard let batch = ready.map(\.batch).min() else {
                // Only waiting ones are left (on a down node, moving): the rollout waits for them.
                guard rows.allSatisfy(\.state.isSettled) else { return .none }
                rollout.state = .completed
                rollout.reason = nil
                rollout.finishedAt = .now()
                if rollout.wholeFleet { try await transaction.setAgentRelease(rollout.image) }
                let counts = Dictionary(grouping: rows, by: \.state).mapValues(\.count)
                try await audit(
                    "rollout.completed", rollout,
                    [
                        "healthy": .number(Double(counts[.healthy] ?? 0)),
                        "failed": .number(Double(counts[.failed] ?? 0)),
                        "release": rollout.wholeFleet ? .string(rollout.image) : .null,
                    ], in: transaction)
                return .completed(rows.count)
            }
            if rollout.pauseAfterCanary, batch > 0, rows.contains(where: { $0.batch == 0 }) {
                rollout.pauseAfterCanary = false
                rollout.state = .paused
                rollout.reason = "the canary passed; paused after it as asked (resume to go on)"
                try await audit("rollout.paused", rollout, ["reason": .string("after the canary")], in: transaction)
                return .paused
            }
            let batchRows = ready.filter { $0.batch == batch }
            for var row in batchRows {
                let tenant = byID[row.tenantID]
                row.updatedAt = .now()
                if tenant == nil || tenant?.status == .deleted {
                    row.state = .healthy
                    row.error = "deleted meanwhile: nothing to update"
                } else if let tenant, tenant.nodeID == nil {
                    // Never deployed: it gets the image at its first deploy, pinned there.
                    var updated = tenant
                    updated.image = rollout.image
                    try await transaction.updateTenant(updated)
                    row.state = .healthy
                } else {
                    row.state = .updating
                }
                _ = try await transaction.updateRolloutTenant(row, expecting: [.pending])
            }
            try await signalNodes(of: batchRows, byID, in: transaction)
            return .dispatched(batch: batch, tenants: batchRows.count)
        case .halted:
            guard inFlight.isEmpty else { return .none }
            rollout.state = .rolledBack
            rollout.finishedAt = .now()
            try await audit("rollout.rolled_back", rollout, ["reason": .string(rollout.reason ?? "")], in: transaction)
            return .rolledBack
        case .paused, .completed, .rolledBack, .failed, .aborted:
            return .none
        }
    }

    private func signalNodes(
        of rows: [RolloutTenant], _ byID: [TenantID: Tenant], in transaction: any StoreTransaction
    ) async throws {
        for node in Set(rows.compactMap { byID[$0.tenantID]?.nodeID }).sorted() {
            try await transaction.signal(RolloutService.channel, payload: node)
        }
    }

    private func audit(
        _ action: String, _ rollout: Rollout, _ detail: [String: JSONValue], in transaction: any StoreTransaction
    ) async throws {
        var detail = detail
        detail["image"] = .string(rollout.image)
        try await transaction.appendAudit(
            NewAuditEvent(at: .now(), actor: "system:rollout", action: action, target: rollout.id, detail: detail))
    }

    /// The pending tenants that cannot be updated now, with why: their node is down, or they are moving.
    static func waiting(_ rows: [RolloutTenant], tenants: [Tenant], nodes: [Node]) -> [TenantID: String] {
        let byID = Dictionary(tenants.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let down = Set(nodes.filter { $0.state == .down }.map(\.id))
        var waiting: [TenantID: String] = [:]
        for row in rows where row.state == .pending || row.state == .updating || row.state == .rollingBack {
            guard let tenant = byID[row.tenantID] else { continue }
            if let node = tenant.nodeID, down.contains(node) {
                waiting[row.tenantID] = "its node \(node) is down: it waits for the node to return"
            } else if let target = tenant.movingTo, row.state == .pending {
                waiting[row.tenantID] = "it is moving to node \(target)"
            }
        }
        return waiting
    }
}
