import Foundation
import ZCCore
import ZCCrypto

/// Rollouts as the API and the CLI ask for them: started (one at a time), listed, read, paused, resumed
/// and aborted, each audited in the transaction that makes it. The leader's `RolloutDriver` does the
/// rest; every change wakes it and the nodes (`RolloutService.channel`).
public struct RolloutService: Sendable {
    /// The signal channel on which every node hears that a rollout changed.
    public static let channel = "zcplatform_rollouts"

    let store: any Store
    /// Wakes this node's driver and worker at once.
    let wake: @Sendable () -> Void

    public init(store: any Store, wake: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.wake = wake
    }

    /// A rollout with its tenants, its nodes' image checks and the tenants that wait (their node is
    /// down, or they are moving).
    public struct Detail: Sendable {
        public let rollout: Rollout
        public let tenants: [RolloutTenant]
        public let nodes: [RolloutNode]
        /// Pending tenants that cannot be updated now, with why.
        public let waiting: [TenantID: String]
        /// Each tenant's node.
        public let placement: [TenantID: String]
    }

    /// `POST /api/rollouts`: records the rollout (`pending`: nothing is touched until every node with
    /// tenants in it has pulled and pinned the image).
    public func start(_ request: RolloutRequest, by caller: Caller) async throws -> Rollout {
        let id = try Self.newID()
        let rollout = try await store.withTransaction { transaction -> Rollout in
            try await transaction.lockRollouts()
            if let running = try await transaction.unfinishedRollouts().first {
                throw Failure.conflict(
                    "rollout \(running.id) (\(running.image)) is \(running.state.rawValue)\(running.state.isFinal ? " with updates under way" : ""); wait for it, or abort it with POST /api/rollouts/\(running.id)/abort"
                )
            }
            let targets = try await Self.targets(of: request, in: transaction)
            let batches = request.batches(of: targets.count)
            let now = Timestamp.now()
            let rollout = Rollout(
                id: id, image: request.image, canary: request.canary.of(targets.count),
                batchSize: max(1, request.batchSize.of(targets.count)), healthSeconds: request.healthSeconds,
                maxFailures: request.maxFailures, pauseAfterCanary: request.pauseAfterCanary,
                wholeFleet: request.tenants == nil, createdBy: caller.actor, createdAt: now)
            let rows = targets.enumerated().map { index, tenant in
                RolloutTenant(
                    rolloutID: id, tenantID: tenant.id, position: index, batch: batches[index], from: tenant.image,
                    updatedAt: now)
            }
            try await transaction.insertRollout(rollout, tenants: rows)
            try await transaction.audit(
                "rollout.started", by: caller, target: id,
                detail: [
                    "image": .string(request.image), "tenants": .number(Double(rows.count)),
                    "canary": .number(Double(rollout.canary)), "batch_size": .number(Double(rollout.batchSize)),
                    "health_seconds": .number(Double(rollout.healthSeconds)),
                    "max_failures": .number(Double(rollout.maxFailures)),
                    "pause_after_canary": .bool(rollout.pauseAfterCanary), "whole_fleet": .bool(rollout.wholeFleet),
                ], at: now)
            try await transaction.signal(Self.channel, payload: id)
            return rollout
        }
        wake()
        return rollout
    }

    /// `ro-` and 12 hex digits that sort as the rollouts were started: 11 of milliseconds since 1970, one
    /// random (starts are one at a time, under `lockRollouts`).
    static func newID() throws -> String {
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let random = try SecureRandom.bytes(1)[0] & 0x0f
        return "ro-" + String(format: "%011llx%01x", milliseconds & 0xfff_ffff_ffff, random)
    }

    /// The tenants a rollout updates, in order: those named (each must exist, not be deleted nor pinned),
    /// else every tenant not deleted and not pinned, running ones first (the canary must run to prove
    /// anything), never-deployed drafts last, by id within each.
    static func targets(of request: RolloutRequest, in reader: any StoreReader) async throws -> [Tenant] {
        guard let named = request.tenants else {
            let rank: (Tenant) -> Int = { tenant in
                switch tenant.status {
                case .running: 0
                case .deploying: 1
                case .stopped, .error: 2
                default: 3
                }
            }
            return try await reader.tenants(.all).filter { $0.status != .deleted && !$0.imagePinned }
                .enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
        }
        var found: [Tenant] = []
        for id in named {
            guard let tenant = try await reader.tenant(id), tenant.status != .deleted else {
                throw ValidationError(field: "tenants", "unknown tenant '\(id)'")
            }
            guard !tenant.imagePinned else {
                throw ValidationError(
                    field: "tenants",
                    "tenant '\(id)' is pinned to its image; unpin it first (PATCH /api/tenants/\(id) {\"image_pinned\": false})"
                )
            }
            found.append(tenant)
        }
        return found
    }

    public func list(limit: Int) async throws -> [(Rollout, [RolloutTenant])] {
        try await store.read { reader in
            var answer: [(Rollout, [RolloutTenant])] = []
            for rollout in try await reader.rollouts(limit: limit) {
                answer.append((rollout, try await reader.rolloutTenants(of: rollout.id)))
            }
            return answer
        }
    }

    public func detail(_ id: String) async throws -> Detail {
        try await store.read { reader in
            guard let rollout = try await reader.rollout(id) else {
                throw Failure.notFound("rollout '\(id)' not found")
            }
            let tenants = try await reader.rolloutTenants(of: id)
            let nodes = try await reader.nodes()
            let placed = try await reader.tenants(.all)
            return Detail(
                rollout: rollout, tenants: tenants, nodes: try await reader.rolloutNodes(of: id),
                waiting: RolloutDriver.waiting(tenants, tenants: placed, nodes: nodes),
                placement: Dictionary(
                    placed.compactMap { tenant in tenant.nodeID.map { (tenant.id, $0) } },
                    uniquingKeysWith: { a, _ in a }))
        }
    }

    /// `POST /api/rollouts/{id}/pause`: no new batch starts; the updates under way finish their gate.
    public func pause(_ id: String, by caller: Caller) async throws -> Rollout {
        try await change(id, "rollout.paused", by: caller, from: [.pending, .running]) { rollout in
            rollout.state = .paused
            rollout.reason = "paused by \(caller.actor)"
        }
    }

    /// `POST /api/rollouts/{id}/resume`: a paused rollout goes on; a rolled-back one too, its batch in
    /// flight tried again and `max_failures` counted afresh.
    public func resume(_ id: String, by caller: Caller) async throws -> Rollout {
        try await store.withTransaction { transaction in
            guard var rollout = try await transaction.rollout(id) else {
                throw Failure.notFound("rollout '\(id)' not found")
            }
            let from = rollout.state
            guard from == .paused || from == .rolledBack else {
                throw Failure.conflict(
                    "rollout \(id) is \(from.rawValue); only a paused or rolled-back rollout resumes")
            }
            let tenants = try await transaction.rolloutTenants(of: id)
            if from == .rolledBack {
                for var tenant in tenants where tenant.state == .rolledBack {
                    tenant.state = .pending
                    tenant.error = nil
                    tenant.updatedAt = .now()
                    _ = try await transaction.updateRolloutTenant(tenant, expecting: [.rolledBack])
                }
                rollout.failureBase = tenants.filter { $0.state == .failed }.count
            }
            rollout.state = .running
            rollout.reason = nil
            rollout.finishedAt = nil
            rollout.updatedAt = .now()
            guard try await transaction.updateRollout(rollout, expecting: from) else {
                throw Failure.conflict("rollout \(id) changed meanwhile; read it again")
            }
            try await transaction.audit(
                "rollout.resumed", by: caller, target: id, detail: ["from": .string(from.rawValue)])
            try await transaction.signal(Self.channel, payload: id)
            return rollout
        }
    }

    /// `POST /api/rollouts/{id}/abort`: ends it; tenants already updated keep the new image, updates under
    /// way finish their gate (and go back when it fails), the rest are left alone.
    public func abort(_ id: String, by caller: Caller) async throws -> Rollout {
        try await change(id, "rollout.aborted", by: caller, from: [.pending, .running, .paused, .halted]) { rollout in
            rollout.state = .aborted
            rollout.reason = "aborted by \(caller.actor)"
            rollout.finishedAt = .now()
        }
    }

    private func change(
        _ id: String, _ action: String, by caller: Caller, from allowed: Set<RolloutState>,
        _ edit: @escaping @Sendable (inout Rollout) -> Void
    ) async throws -> Rollout {
        let rollout = try await store.withTransaction { transaction in
            guard var rollout = try await transaction.rollout(id) else {
                throw Failure.notFound("rollout '\(id)' not found")
            }
            let from = rollout.state
            guard allowed.contains(from) else {
                throw Failure.conflict(
                    "rollout \(id) is \(from.rawValue); this needs it \(allowed.map(\.rawValue).sorted().joined(separator: " or "))"
                )
            }
            edit(&rollout)
            rollout.updatedAt = .now()
            guard try await transaction.updateRollout(rollout, expecting: from) else {
                throw Failure.conflict("rollout \(id) changed meanwhile; read it again")
            }
            try await transaction.audit(action, by: caller, target: id, detail: ["from": .string(from.rawValue)])
            try await transaction.signal(Self.channel, payload: id)
            return rollout
        }
        wake()
        return rollout
    }
}
