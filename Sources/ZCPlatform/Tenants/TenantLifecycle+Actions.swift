import Foundation
import ZCCore
import ZCCrypto

/// The tenant needs a different status for this request.
struct TenantStateConflict: Error, PublicError {
    let message: String
    var failureKind: FailureKind { .conflict }
    var publicMessage: String { message }
}

extension TenantLifecycle {
    /// `POST /start`: starts the agent (recreating its container if it vanished) → `running`.
    public func start(_ id: TenantID, actor: String, clientIP: String?) async throws -> Tenant {
        try await act(.start, id, actor: actor, clientIP: clientIP) { tenant in
            try await self.startAgent(tenant)
        } update: { tenant in
            tenant.startedAt = .now()
            tenant.errorMessage = nil
        }
    }

    /// `POST /stop`: SIGTERM, then SIGKILL after the stop timeout → `stopped`.
    public func stop(_ id: TenantID, actor: String, clientIP: String?) async throws -> Tenant {
        try await act(.stop, id, actor: actor, clientIP: clientIP) { tenant in
            do {
                try await self.runtime.stop(self.container(of: tenant), timeout: self.settings.stopTimeout)
            } catch ContainerRuntimeError.notFound {
                // Already gone: stopped is what was asked.
            }
        } update: { tenant in
            tenant.startedAt = nil
        }
    }

    /// `POST /restart` (from running or error): a fresh config, then the agent restarted → `running`.
    public func restart(_ id: TenantID, actor: String, clientIP: String?) async throws -> Tenant {
        try await act(.restart, id, actor: actor, clientIP: clientIP) { tenant in
            try await self.startAgent(tenant, restart: true)
        } update: { tenant in
            tenant.startedAt = .now()
            tenant.errorMessage = nil
        }
    }

    /// Writes the current config and starts (or restarts) the agent, creating its container when it is
    /// missing.
    func startAgent(_ tenant: Tenant, restart: Bool = false) async throws {
        try refuseWhileFenced()
        var tenant = tenant
        if tenant.hostPort == nil, tenant.uid != nil, tenant.status == .stopped {
            // Moved here while stopped: its port on this node is chosen now.
            tenant = try await allocate(tenant.id, while: .stopped)
        }
        guard let uid = tenant.uid, tenant.hostPort != nil else {
            throw TenantStateConflict(message: "tenant '\(tenant.id)' has never been deployed; deploy it first")
        }
        let name = container(of: tenant)
        guard let info = try await runtime.inspect(name) else {
            _ = try await createContainer(for: tenant)
            try await runtime.start(name)
            return
        }
        try await writeAgentFiles(tenant, uid: uid)
        if restart && info.state == .running {
            try await runtime.restart(name, timeout: settings.stopTimeout)
        } else {
            try await runtime.start(name)
        }
    }

    /// Guards `action`, runs `operation` on the runtime under the tenant's lock, then records the new
    /// status and the audit event in one transaction. When the runtime fails nothing changes.
    private func act(
        _ action: TenantAction, _ id: TenantID, actor: String, clientIP: String?,
        _ operation: @escaping @Sendable (Tenant) async throws -> Void,
        update: @escaping @Sendable (inout Tenant) -> Void
    ) async throws -> Tenant {
        do {
            let tenant = try await locks.withLock(id) {
                let tenant = try await self.store.read { try await self.requireTenant(id, in: $0) }
                let target = try TenantStatusMachine.apply(action, to: tenant.status)
                try await operation(tenant)
                return try await self.store.withTransaction { transaction in
                    var current = try await self.requireTenant(id, in: transaction)
                    let from = current.status
                    current.status = target
                    current.updatedAt = .now()
                    update(&current)
                    try await transaction.updateTenant(current)
                    try await self.audit(
                        "tenant.\(action.rawValue)", tenant: id, actor: actor, clientIP: clientIP,
                        detail: ["from": .string(from.rawValue)], in: transaction)
                    return current
                }
            }
            metrics.actions.increment(labels: [action.rawValue, "succeeded"])
            metrics.runtimeUp.set(1, labels: [runtime.driver])
            return tenant
        } catch {
            metrics.actions.increment(labels: [action.rawValue, "failed"])
            if let error = error as? StoreError, error.kind == .placementChanged {
                // Placed elsewhere meanwhile: reconciliation stops what this node still runs of it.
                logger.warning("tenant.placement_lost", ["tenant": id.rawValue, "node": settings.nodeID])
                wake()
            }
            if case ContainerRuntimeError.unavailable = error { metrics.runtimeUp.set(0, labels: [runtime.driver]) }
            if let error = error as? ContainerRuntimeError {
                logger.warning(
                    "tenant.action_failed", ["tenant": id.rawValue, "action": action.rawValue, "error": "\(error)"])
            }
            throw error
        }
    }

    /// `DELETE /tenants/{id}`: removes the container, moves the data directory aside (purged after the
    /// grace period) and deletes the record. A running deploy of the tenant gives up first.
    public func delete(_ id: TenantID, actor: String, clientIP: String?) async throws {
        abandoned.withLock { _ = $0.insert(id) }
        defer { abandoned.withLock { _ = $0.remove(id) } }
        try await locks.withLock(id) {
            let tenant = try await self.store.read { try await self.requireTenant(id, in: $0) }
            _ = try TenantStatusMachine.apply(.delete, to: tenant.status)
            if tenant.status != .draft || tenant.containerID != nil {
                do {
                    try await self.runtime.remove(self.container(of: tenant), force: true)
                } catch ContainerRuntimeError.notFound {
                    // Never created, or already removed.
                }
            }
            let moved = try self.directories.moveAside(id, at: .now())
            do {
                try await self.store.withTransaction { transaction in
                    guard try await transaction.deleteTenant(id) else {
                        throw Failure.notFound("tenant '\(id)' not found")
                    }
                    var detail: [String: JSONValue] = ["status": .string(tenant.status.rawValue)]
                    if let moved { detail["data_moved_to"] = .string(moved) }
                    try await self.audit(
                        "tenant.delete", tenant: id, actor: actor, clientIP: clientIP, detail: detail, in: transaction)
                }
            } catch {
                if let moved { self.directories.restore(moved, to: id) }
                throw error
            }
            if let moved {
                self.logger.notice(
                    "tenant.data_moved",
                    [
                        "tenant": id.rawValue, "path": moved,
                        "purge_after_hours": self.settings.deletedRetention.components.seconds / 3600,
                    ])
            }
        }
        metrics.actions.increment(labels: ["delete", "succeeded"])
    }

    /// `GET /logs`: the agent's output (the last `tail` lines; with `follow`, until cancelled).
    public func logs(
        _ id: TenantID, options: LogOptions, _ line: @Sendable (LogLine) async throws -> Void
    ) async throws {
        let tenant = try await store.read { try await self.requireTenant(id, in: $0) }
        guard tenant.status != .draft else {
            throw TenantStateConflict(message: "tenant '\(id)' has not been deployed: it has no logs yet")
        }
        do {
            try await runtime.logs(container(of: tenant), options: options, line)
        } catch ContainerRuntimeError.notFound {
            throw Failure.notFound("tenant '\(id)' has no container (deploy or start it)")
        }
    }

    /// Checks that logs can be read before a streamed answer commits to 200.
    public func checkLogsAvailable(_ id: TenantID) async throws {
        let tenant = try await store.read { try await self.requireTenant(id, in: $0) }
        guard tenant.status != .draft else {
            throw TenantStateConflict(message: "tenant '\(id)' has not been deployed: it has no logs yet")
        }
        guard try await runtime.inspect(container(of: tenant)) != nil else {
            throw Failure.notFound("tenant '\(id)' has no container (deploy or start it)")
        }
    }

    /// `POST /exec`: an argv in the running agent's container, cut at its timeout; audited without its
    /// arguments (they may hold anything the operator typed).
    /// Whether exec is possible on this node at all: a runtime that isolates agents, or
    /// `runtime.process_exec`.
    public var execAvailable: Bool { runtime.isolated || settings.execWithoutIsolation }

    public func exec(
        _ id: TenantID, argv: [String], timeout: Duration?, actor: String, clientIP: String?
    ) async throws -> ExecResult {
        let tenant = try await store.read { try await self.requireTenant(id, in: $0) }
        guard execAvailable else {
            throw Failure.forbidden(
                "exec is off: the \(runtime.driver) runtime would run the program as this platform's own user with no isolation; set runtime.process_exec = true to allow it (development only)"
            )
        }
        guard TenantCapability.exec.allowed(in: tenant.status) else {
            throw TenantStateConflict(
                message: "exec needs a running agent; tenant '\(id)' is \(tenant.status.rawValue)")
        }
        let limit = min(timeout ?? .seconds(30), settings.maxExecTimeout)
        // Recorded before it runs: a store that cannot take the record refuses the exec, so no command ever
        // runs unaudited. The arguments are kept only as a digest (they may hold anything typed, a secret
        // among them); an investigator can check a suspected command line against it.
        let start = try await store.withTransaction { transaction in
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: .now(), actor: actor, action: "tenant.exec", tenantID: id.rawValue, clientIP: clientIP,
                    detail: [
                        "program": .string(argv.first ?? ""), "arguments": .number(Double(argv.count - 1)),
                        "argv_sha256": .string(Self.argvDigest(argv)),
                        "timeout_seconds": .number(Double(limit.components.seconds)),
                    ]))
        }
        let started = ContinuousClock.now
        var detail: [String: JSONValue] = ["started": .number(Double(start.id))]
        let outcome: Result<ExecResult, any Error>
        do {
            let result = try await runtime.exec(container(of: tenant), ExecRequest(argv: argv, timeout: limit))
            detail["exit_code"] = .number(Double(result.exitCode))
            detail["timed_out"] = .bool(result.timedOut)
            detail["truncated"] = .bool(result.truncated)
            outcome = .success(result)
        } catch {
            detail["error"] = .string(scrubber.scrub((error as? any PublicError)?.publicMessage ?? "internal error"))
            outcome = .failure(error)
        }
        detail["duration_ms"] = .number(((ContinuousClock.now - started).inSeconds * 1000).rounded())
        try await recordCompletion(of: id, actor: actor, clientIP: clientIP, detail: detail)
        switch outcome {
        case .success(let result):
            metrics.actions.increment(labels: ["exec", result.timedOut ? "timed_out" : "succeeded"])
            return result
        case .failure(let error):
            metrics.actions.increment(labels: ["exec", "failed"])
            if case ContainerRuntimeError.notFound = error {
                throw Failure.notFound("tenant '\(id)' has no container (deploy or start it)")
            }
            throw error
        }
    }

    /// `tenant.exec_completed`, tried three times: an exec whose end cannot be recorded fails (its start
    /// is recorded), rather than answer as if everything were in the audit log.
    private func recordCompletion(
        of id: TenantID, actor: String, clientIP: String?, detail: [String: JSONValue]
    ) async throws {
        var lastError: (any Error)?
        for attempt in 1...3 {
            do {
                try await store.withTransaction { transaction in
                    try await self.audit(
                        "tenant.exec_completed", tenant: id, actor: actor, clientIP: clientIP, detail: detail,
                        in: transaction)
                }
                return
            } catch {
                lastError = error
                logger.warning(
                    "tenant.exec_audit_retry", ["tenant": id.rawValue, "attempt": attempt, "error": "\(error)"])
                try await Task.sleep(
                    for: Backoff(initial: .milliseconds(100), limit: .seconds(1)).delay(afterAttempt: attempt))
            }
        }
        logger.error("tenant.exec_unrecorded", ["tenant": id.rawValue, "error": "\(lastError.map { "\($0)" } ?? "")"])
        throw Failure.unavailable(
            "the command ran, but its completion could not be recorded in the audit log; its start is recorded")
    }

    /// SHA-256 of the argv, each argument ended by a NUL (so `["a b"]` and `["a", "b"]` differ), in hex.
    static func argvDigest(_ argv: [String]) -> String {
        var bytes: [UInt8] = []
        for argument in argv { bytes += Array(argument.utf8) + [0] }
        return SHA256Digest.hash(bytes).hexString
    }

    /// After a config or channel change: the agent's config is written again and a running agent
    /// restarted, in the background.
    public func configurationChanged(_ id: TenantID, actor: String) {
        enqueue(.reconfigure(id, actor: actor))
    }

    func runReconfigure(_ id: TenantID, actor: String) async {
        do {
            try await locks.withLock(id) {
                guard let tenant = try await self.store.tenant(id), let uid = tenant.uid,
                    [.running, .stopped, .error].contains(tenant.status)
                else { return }
                try await self.writeAgentFiles(tenant, uid: uid)
                let restart = tenant.status == .running
                if restart {
                    try await self.runtime.restart(self.container(of: tenant), timeout: self.settings.stopTimeout)
                    try await self.store.withTransaction { transaction in
                        guard var current = try await transaction.tenant(id), current.status == .running else { return }
                        current.startedAt = .now()
                        current.updatedAt = .now()
                        try await transaction.updateTenant(current)
                    }
                }
                await self.auditAlone(
                    "tenant.reconfigure", tenant: id, actor: actor, clientIP: nil, detail: ["restarted": .bool(restart)]
                )
            }
            metrics.actions.increment(labels: ["reconfigure", "succeeded"])
        } catch {
            metrics.actions.increment(labels: ["reconfigure", "failed"])
            let cause = scrubber.scrub((error as? any PublicError)?.publicMessage ?? "internal error")
            logger.warning("tenant.reconfigure_failed", ["tenant": id.rawValue, "error": "\(error)"])
            await auditAlone(
                "tenant.reconfigure_failed", tenant: id, actor: actor, clientIP: nil, detail: ["cause": .string(cause)])
        }
    }
}
