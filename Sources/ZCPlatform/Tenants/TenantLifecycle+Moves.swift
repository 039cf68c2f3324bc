import Foundation
import ZCCore
import ZCHTTP

/// Moving a tenant to another node. The request records where it goes (`moving_to`, the target's room
/// taken under its row's lock) and signals the tenant's node, which runs the move: it stops the agent,
/// packs the tenant's directory (`TenantArchive`), asks the target to pull it (node to node, signed), and
/// once the target has it, verified, flips the owner and the placement epoch in one transaction. The
/// target then starts the agent; the source keeps its copy in `.moved` for `cluster.moved_retention_hours`.
/// A failure before the flip gives the move up: the tenant stays, its agent started again if it ran.
extension TenantLifecycle {
    /// `POST /api/tenants/{id}/move`: records the move (`ClusterAdministration.requestMove`) and wakes the
    /// tenant's node.
    public func requestMove(_ id: TenantID, to target: String, actor: String, clientIP: String?) async throws -> Tenant
    {
        guard settings.clustered else {
            throw Failure(.conflict, "this node is alone on its store: there is no other node to move a tenant to")
        }
        let tenant = try await ClusterAdministration(store: store, placement: nodePlacement)
            .requestMove(id, to: target, actor: actor, clientIP: clientIP)
        if tenant.nodeID == settings.nodeID { wake() }
        return tenant
    }

    /// Starts the move of `tenant` (placed here, `moving_to` set) unless one runs already.
    func startMoveIfAsked(_ tenant: Tenant) {
        guard tenant.movingTo != nil, tenant.nodeID == settings.nodeID else { return }
        guard runningMoves.withLock({ $0.insert(tenant.id).inserted }) else { return }
        enqueue(.move(tenant.id))
    }

    /// Runs the move of tenant `id` from this node, to its end or its rollback.
    func runMove(_ id: TenantID) async {
        defer { runningMoves.withLock { _ = $0.remove(id) } }
        let started = ContinuousClock.now
        guard let tenant = try? await store.tenant(id), tenant.nodeID == settings.nodeID, let target = tenant.movingTo
        else { return }
        let wasRunning = tenant.status == .running
        var archive: String?
        defer {
            moveArchives.withLock { _ = $0.removeValue(forKey: id) }
            if let archive { unlink(archive) }
        }
        logger.notice("tenant.move_started", ["tenant": id.rawValue, "to": target])
        do {
            try await locks.withLock(id) {
                do {
                    try await self.runtime.stop(self.container(of: tenant), timeout: self.settings.stopTimeout)
                } catch ContainerRuntimeError.notFound {}
            }
            let path = try directories.incomingPath("\(id.rawValue).\(Timestamp.now().seconds).out.tar.gz")
            archive = path
            let directories = self.directories
            let maxBytes = settings.moveMaxBytes
            let (sha256, summary) = try await DedicatedThread.run("tenant-pack") {
                try directories.pack(id, into: path, maxBytes: maxBytes)
            }
            let bytes = Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
            moveArchives.withLock { $0[id] = path }
            let body = try JSONSerialization.data(
                withJSONObject: ["from": settings.nodeID, "sha256": sha256, "bytes": bytes], options: [.sortedKeys])
            _ = try await nodeClient.post(
                target, "/internal/moves/\(id.rawValue)/pull", json: Array(body), timeout: .seconds(3600))
            try await locks.withLock(id) {
                try await self.finishMove(id, to: target, wasRunning: wasRunning, sha256: sha256, summary: summary)
            }
            do {
                try await runtime.remove(container(of: tenant), force: true)
            } catch ContainerRuntimeError.notFound {}
            let kept = try? directories.moveAsideMoved(id, at: .now())
            metrics.moves.increment(labels: ["succeeded"])
            metrics.moveBytes.increment(by: Double(bytes))
            metrics.moveSeconds.observe((ContinuousClock.now - started).inSeconds)
            wake()  // a draining node takes the next
            logger.notice(
                "tenant.moved",
                [
                    "tenant": id.rawValue, "to": target, "bytes": bytes, "files": summary.files,
                    "skipped": summary.skipped, "kept": kept ?? "-",
                ])
        } catch {
            metrics.moves.increment(labels: ["failed"])
            await abandonMove(id, to: target, wasRunning: wasRunning, cause: error)
        }
    }

    /// The flip: the target owns the tenant from this transaction on (its epoch one more).
    private func finishMove(
        _ id: TenantID, to target: String, wasRunning: Bool, sha256: String, summary: TenantArchive.Summary
    ) async throws {
        try await store.withTransaction { transaction in
            guard var current = try await transaction.tenant(id), current.nodeID == self.settings.nodeID,
                current.movingTo == target
            else {
                throw Failure(.conflict, "the move of tenant '\(id)' was given up or changed meanwhile")
            }
            current.nodeID = target
            current.movingTo = nil
            current.hostPort = nil
            current.containerID = nil
            current.startedAt = nil
            current.errorMessage = nil
            current.status = wasRunning ? .deploying : .stopped
            current.updatedAt = .now()
            try await transaction.updateTenant(current)
            try await self.audit(
                "tenant.moved", tenant: id, actor: "system:move",
                detail: [
                    "from": .string(self.settings.nodeID), "to": .string(target), "sha256": .string(sha256),
                    "files": .number(Double(summary.files)), "bytes": .number(Double(summary.bytes)),
                    "skipped": .number(Double(summary.skipped)),
                    "skipped_examples": .array(summary.skippedExamples.map { .string(self.scrubber.scrub($0)) }),
                ], in: transaction)
            try await transaction.signal(Self.workChannel, payload: target)
        }
    }

    /// A move that failed before its flip: the tenant stays here, its agent started again if it ran.
    private func abandonMove(_ id: TenantID, to target: String, wasRunning: Bool, cause: any Error) async {
        let reason = (cause as? any PublicError)?.publicMessage ?? "an internal error (see the platform log)"
        logger.warning("tenant.move_failed", ["tenant": id.rawValue, "to": target, "error": "\(cause)"])
        do {
            try await locks.withLock(id) {
                let kept = try await self.store.withTransaction { transaction -> Tenant? in
                    guard var current = try await transaction.tenant(id), current.nodeID == self.settings.nodeID
                    else { return nil }
                    current.movingTo = nil
                    current.updatedAt = .now()
                    try await transaction.updateTenant(current)
                    try await self.audit(
                        "tenant.move_failed", tenant: id, actor: "system:move",
                        detail: ["to": .string(target), "cause": .string(self.scrubber.scrub(reason))], in: transaction)
                    return current
                }
                if let kept, wasRunning { try await self.startAgent(kept) }
            }
        } catch {
            logger.error("tenant.move_rollback_failed", ["tenant": id.rawValue, "error": "\(error)"])
        }
    }

    /// The archive of a move running here, for the target to pull; nil when there is none.
    public func moveArchive(of id: TenantID) -> String? {
        moveArchives.withLock { $0[id] }
    }

    /// On the target: pulls the archive of `id` from `source`, checks its size and SHA-256, and makes it
    /// the tenant's directory here.
    func receiveMove(
        _ id: TenantID, from source: String, sha256: String, bytes: Int64
    ) async throws
        -> TenantArchive.Summary
    {
        guard let tenant = try await store.tenant(id), tenant.nodeID == source, tenant.movingTo == settings.nodeID,
            let uid = tenant.uid
        else {
            throw TenantStateConflict(
                message: "tenant '\(id)' is not moving from node \(source) to node \(settings.nodeID)")
        }
        let path = try directories.incomingPath("\(id.rawValue).\(Timestamp.now().seconds).in.tar.gz")
        defer { unlink(path) }
        let received = try await nodeClient.download(
            source, "/internal/moves/\(id.rawValue)/archive", to: path, limit: bytes)
        guard received.bytes == bytes, received.sha256 == sha256 else {
            throw Failure(
                .dependencyFailed,
                "the archive of tenant '\(id)' from node \(source) does not check out (\(received.bytes) bytes, sha256 \(received.sha256.prefix(16))…; expected \(bytes) bytes, \(sha256.prefix(16))…)"
            )
        }
        let directories = self.directories
        return try await DedicatedThread.run("tenant-receive") {
            try directories.receive(path, for: id, uid: uid, at: .now())
        }
    }
}

extension TenantLifecycle {
    /// While this node is draining, moves its tenants away one at a time: when none is moving, the first
    /// (by id) that may move goes to the node placement picks. Each move's end wakes reconciliation, which
    /// takes the next.
    func drainStep(_ tenants: [Tenant]) async throws {
        guard settings.clustered, !tenants.contains(where: { $0.movingTo != nil }) else { return }
        let me = try await store.read { try await $0.nodes() }.first { $0.id == settings.nodeID }
        guard me?.state == .draining else { return }
        guard let next = tenants.first(where: { [.running, .stopped, .error].contains($0.status) }) else {
            if !tenants.contains(where: { $0.status != .deleted && $0.status != .draft }) {
                logger.info("node.drained", ["node": settings.nodeID])
            }
            return
        }
        do {
            let target = try await store.withTransaction { transaction in
                try await self.nodePlacement.place(plan: next.plan, pinned: nil, in: transaction)
            }
            _ = try await requestMove(next.id, to: target, actor: "system:drain", clientIP: nil)
        } catch let error as any PublicError {
            // No room elsewhere, say: the drain waits, and tries again at the next reconciliation.
            logger.warning(
                "node.drain_waiting",
                ["node": settings.nodeID, "tenant": next.id.rawValue, "reason": error.publicMessage])
        }
    }
}
