import Foundation
import ZCCore
import ZCCrypto
import ZCHTTP

/// A deploy step that failed: its name and cause become the tenant's `error_message`.
struct DeployStepFailure: Error, CustomStringConvertible {
    let step: String
    let cause: String
    var description: String { "\(step): \(cause)" }
}

/// A deploy given up because the tenant was deleted (or changed) meanwhile.
struct DeployAbandoned: Error {}

extension TenantLifecycle {
    /// The gateway's port inside the container.
    static let gatewayPort = 42617

    /// The signal channel on which a node hears that a tenant was placed on it (`StoreSignals`).
    public static let workChannel = "zcplatform_work"

    /// `POST /deploy`: `deploying` at once, the pipeline in the background on the tenant's node. A tenant
    /// on no node yet is placed first (on `pinned` when given); the node it is placed on, if another,
    /// hears of it by a store signal, or at its next reconciliation.
    public func deploy(
        _ id: TenantID, pinned: String? = nil, actor: String, clientIP: String?
    ) async throws -> Tenant {
        let tenant = try await locks.withLock(id) {
            try await self.store.withTransaction { transaction in
                var tenant = try await self.requireTenant(id, in: transaction)
                let from = tenant.status
                tenant.status = try TenantStatusMachine.apply(.deploy, to: tenant.status)
                if let pinned, let current = tenant.nodeID, current != pinned, self.settings.clustered {
                    throw TenantStateConflict(
                        message:
                            "tenant '\(id)' lives on node \(current); move it there with POST /api/tenants/\(id)/move"
                    )
                }
                let me = self.settings.nodeID
                if !self.settings.clustered, let pinned, pinned != me {
                    throw PlacementError.unknownNode(pinned, known: [me])
                }
                let node: String
                if let current = tenant.nodeID, self.settings.clustered || current == me {
                    node = current
                } else {
                    let pin = self.settings.clustered ? pinned : me
                    node = try await self.nodePlacement.place(plan: tenant.plan, pinned: pin, in: transaction)
                }
                tenant.errorMessage = nil
                tenant.nodeID = node
                tenant.updatedAt = .now()
                try await transaction.updateTenant(tenant)
                try await self.audit(
                    "tenant.deploy", tenant: id, actor: actor, clientIP: clientIP,
                    detail: ["from": .string(from.rawValue), "node": .string(node)], in: transaction)
                if node != self.settings.nodeID {
                    try await transaction.signal(Self.workChannel, payload: node)
                }
                return tenant
            }
        }
        guard tenant.nodeID == settings.nodeID else {
            logger.info("tenant.placed", ["tenant": id.rawValue, "node": tenant.nodeID ?? "-"])
            return tenant
        }
        abandoned.withLock { _ = $0.remove(id) }
        enqueue(.deploy(id, actor: actor))
        return tenant
    }

    /// Runs the pipeline and records its end: `running`, or `error` with the failing step and cause.
    func runDeploy(_ id: TenantID, actor: String) async {
        let started = ContinuousClock.now
        var outcome = "failed"
        do {
            outcome = try await locks.withLock(id) {
                do {
                    let (container, agent) = try await self.deployPipeline(id)
                    if let failing = agent.summary {
                        // The agent runs and answers, but a part of it (a channel with a wrong token, say)
                        // does not: the deploy succeeded, and says so.
                        self.logger.warning("tenant.deployed_degraded", ["tenant": id.rawValue, "failing": failing])
                    }
                    try await self.finishDeploy(
                        id, actor: actor, container: container, failure: nil, degraded: agent.summary)
                    return "succeeded"
                } catch let failure as DeployStepFailure {
                    self.logger.warning(
                        "tenant.deploy_failed", ["tenant": id.rawValue, "step": failure.step, "cause": failure.cause])
                    try await self.finishDeploy(id, actor: actor, container: nil, failure: failure)
                    return "failed"
                }
            }
        } catch is DeployAbandoned {
            outcome = "abandoned"
            logger.info("tenant.deploy_abandoned", ["tenant": id.rawValue])
        } catch {
            logger.error("tenant.deploy_unrecorded", ["tenant": id.rawValue, "error": "\(error)"])
        }
        metrics.deploySeconds.observe((ContinuousClock.now - started).inSeconds, labels: [outcome])
        metrics.actions.increment(labels: ["deploy", outcome])
    }

    /// Records the end of a deploy, trying again with backoff while the store refuses for a passing
    /// reason (a lock held past its timeout, a lost connection): `finishAttempts` in all. A deploy whose
    /// end still cannot be recorded stays `deploying` with its agent running, and the next reconciliation
    /// finishes it.
    func finishDeploy(
        _ id: TenantID, actor: String, container: ContainerID?, failure: DeployStepFailure?, degraded: String? = nil
    ) async throws {
        let backoff = Backoff(initial: settings.finishBackoff, limit: .seconds(8))
        for attempt in 1...max(1, settings.finishAttempts) {
            do {
                try await recordDeployEnd(
                    id, actor: actor, container: container, failure: failure, degraded: degraded)
                return
            } catch let error as StoreError where error.isRetryable && attempt < settings.finishAttempts {
                let delay = backoff.delay(afterAttempt: attempt)
                logger.warning(
                    "tenant.deploy_finish_retry",
                    [
                        "tenant": id.rawValue, "attempt": attempt, "error": error.publicMessage,
                        "retry_in_ms": Int(delay / .milliseconds(1)),
                    ])
                try await Task.sleep(for: delay)
            }
        }
    }

    private func recordDeployEnd(
        _ id: TenantID, actor: String, container: ContainerID?, failure: DeployStepFailure?, degraded: String?
    ) async throws {
        try await store.withTransaction { transaction in
            guard var tenant = try await transaction.tenant(id), tenant.status == .deploying else {
                throw DeployAbandoned()
            }
            let now = Timestamp.now()
            if let failure {
                tenant.status = TenantStatusMachine.apply(.deployFailed, to: tenant.status) ?? .error
                tenant.errorMessage = String(self.scrubber.scrub(failure.description).prefix(1000))
                tenant.startedAt = nil
            } else {
                tenant.status = TenantStatusMachine.apply(.deploySucceeded, to: tenant.status) ?? .running
                tenant.errorMessage = nil
                tenant.startedAt = now
                tenant.containerID = container?.rawValue
            }
            tenant.updatedAt = now
            try await transaction.updateTenant(tenant)
            var detail: [String: JSONValue] = ["port": tenant.hostPort.map { .number(Double($0)) } ?? .null]
            if let failure {
                detail["step"] = .string(failure.step)
                detail["cause"] = .string(self.scrubber.scrub(failure.cause))
            }
            if let degraded { detail["degraded"] = .string(self.scrubber.scrub(degraded)) }
            try await self.audit(
                failure == nil ? "tenant.deployed" : "tenant.deploy_failed", tenant: id, actor: actor, detail: detail,
                in: transaction)
        }
    }

    /// validate → allocate → create tenant dir → render config → create container → start → health.
    private func deployPipeline(_ id: TenantID) async throws -> (ContainerID, AgentHealth) {
        var tenant = try await step("validate") {
            guard let tenant = try await self.store.tenant(id), tenant.status == .deploying else {
                throw DeployAbandoned()
            }
            guard self.plans[tenant.plan] != nil else {
                throw StepCause("plan '\(tenant.plan)' is not in the configuration")
            }
            _ = try await self.renderConfig(tenant)
            return tenant
        }
        tenant = try await step("allocate") { try await self.allocate(id) }
        try checkAbandoned(id)
        let container = try await step("create container") {
            try await self.createContainer(for: tenant)
        }
        try checkAbandoned(id)
        try await step("start") {
            try self.refuseWhileFenced()
            try await self.runtime.start(container)
        }
        do {
            let agent = try await step("health") { try await self.waitHealthy(tenant, container: container) }
            return (container, agent)
        } catch let failure as DeployStepFailure {
            // An agent that never became healthy is stopped, not removed: its logs stay readable.
            try? await runtime.stop(container, timeout: settings.stopTimeout)
            throw failure
        }
    }

    /// Gives the tenant a port and uid, retrying when a concurrent deploy took the same ones first. A
    /// deploy allocates only while the tenant is `deploying` (a delete meanwhile abandons it); a start
    /// of a tenant that arrived stopped from another node (`status`) allocates too.
    func allocate(_ id: TenantID, while status: TenantStatus = .deploying) async throws -> Tenant {
        var lostPorts: Set<Int> = []
        for _ in 0..<8 {
            let tenants = try await store.read { try await $0.tenants(.all) }
            guard var tenant = tenants.first(where: { $0.id == id }), tenant.status == status else {
                throw DeployAbandoned()
            }
            let (port, uid) = try placement.choose(
                for: tenant, among: tenants, nodeID: settings.nodeID, skipPorts: lostPorts)
            guard tenant.hostPort != port || tenant.uid != uid else { return tenant }
            tenant.hostPort = port
            tenant.uid = uid
            tenant.updatedAt = .now()
            do {
                let chosen = tenant
                try await store.withTransaction { try await $0.updateTenant(chosen) }
                return tenant
            } catch let error as StoreError where error.kind == .uniqueViolation {
                lostPorts.insert(port)
                continue
            }
        }
        throw StepCause("other deploys kept taking the free ports; try again")
    }

    /// Creates the tenant's directory, writes its config and creates its container, replacing a
    /// container left by an earlier attempt.
    func createContainer(for tenant: Tenant) async throws -> ContainerID {
        guard let port = tenant.hostPort, let uid = tenant.uid else {
            throw StepCause("the tenant has no port or uid (deploy it)")
        }
        guard let plan = plans[tenant.plan] else {
            throw StepCause("plan '\(tenant.plan)' is not in the configuration")
        }
        try await writeAgentFiles(tenant, uid: uid)
        let image = try await pinnedImage(of: tenant)
        let name = container(of: tenant)
        if try await runtime.inspect(name) != nil {
            try await runtime.remove(name, force: true)
        }
        let spec = ContainerSpec(
            name: name.rawValue, image: image, entrypoint: [], command: [], environment: [:],
            labels: [
                "zcplatform.tenant": tenant.id.rawValue, "zcplatform.node": settings.nodeID,
                "zcplatform.managed": "true", "zcplatform.instance": try await instanceID(),
            ],
            uid: uid, dataDirectory: directories.path(of: tenant.id), hostPort: port,
            containerPort: Self.gatewayPort, memoryBytes: plan.memoryBytes, cpuLimit: plan.cpuLimit,
            pidsLimit: plan.pidsLimit, hostAddress: settings.publishAddress)
        return try await runtime.create(spec)
    }

    /// The image the tenant's agent is made from, pinned: a tenant whose record names an image not yet
    /// pinned (a new tenant given the release, one recorded before images were) has it pinned on this
    /// node now, and recorded.
    func pinnedImage(of tenant: Tenant) async throws -> String {
        let named = tenant.image ?? settings.image
        if named.contains("@sha256:") { return named }
        let pinned = try await runtime.pinImage(named)
        let id = tenant.id
        let before = tenant.image
        try await store.withTransaction { transaction in
            guard var current = try await transaction.tenant(id), current.image == before else { return }
            current.image = pinned
            try await transaction.updateTenant(current)
        }
        logger.info("tenant.image_pinned", ["tenant": id.rawValue, "image": pinned])
        return pinned
    }

    /// The agent's `config.toml`, with its secrets and the pairings it recorded.
    func renderConfig(_ tenant: Tenant, pairedTokens: [String] = []) async throws -> String {
        let (config, channels) = try await store.read { reader in
            (try await reader.tenantConfig(of: tenant.id), try await reader.channels(of: tenant.id))
        }
        return try AgentConfigRenderer.render(
            tenant: tenant, config: config, channels: channels, vault: vault, gatewayPort: Self.gatewayPort,
            pairedTokens: pairedTokens, agentChannels: settings.agentChannels)
    }

    /// Polls the agent's `/health` on its host port until it answers 200 with no part still `starting`
    /// (a part still starting at the deadline is taken as it is); fails early when the agent exits, and
    /// at the health timeout when it never answers. Returns what the agent said about its parts.
    @discardableResult
    func waitHealthy(_ tenant: Tenant, container: ContainerID) async throws -> AgentHealth {
        guard let port = tenant.hostPort else { throw StepCause("the tenant has no port") }
        guard let probe = probeClient.withLock({ $0 }) else { throw StepCause("the platform is shutting down") }
        let deadline = ContinuousClock.now + settings.healthTimeout
        var lastAnswer = "no answer yet"
        var answered: AgentHealth?
        var checks = 0
        while ContinuousClock.now < deadline {
            try checkAbandoned(tenant.id)
            do {
                let remaining = deadline - ContinuousClock.now
                let response = try await probe.execute(
                    .get, .tcp(host: settings.agentHost, port: port), "/health", timeout: min(.seconds(5), remaining))
                if response.status == .ok {
                    // Something answered on the port; make sure it is this agent, not another process that
                    // holds the port while this agent failed to bind it.
                    if let info = try await runtime.inspect(container), info.state != .running {
                        throw StepCause(
                            "something else answers on 127.0.0.1:\(port) while the agent is \(info.state.rawValue) (exit code \(info.exitCode.map(String.init) ?? "none")); is the port taken outside the platform?"
                        )
                    }
                    let agent = AgentHealth(body: response.body)
                    guard agent.starting else { return agent }
                    answered = agent
                } else {
                    lastAnswer = "answered \(response.status.code)"
                }
            } catch let error as HTTPClientError {
                lastAnswer = "\(error)"
            }
            checks += 1
            if checks % 4 == 0, let info = try await runtime.inspect(container), info.state != .running {
                throw StepCause(
                    "the agent stopped (state \(info.state.rawValue), exit code \(info.exitCode.map(String.init) ?? "none")) before answering /health; see its logs"
                )
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        if let answered { return answered }
        throw StepCause(
            "the agent did not answer /health on 127.0.0.1:\(port) within \(settings.healthTimeout.components.seconds) s (last: \(lastAnswer))"
        )
    }

    func checkAbandoned(_ id: TenantID) throws {
        if abandoned.withLock({ $0.contains(id) }) { throw DeployAbandoned() }
    }

    /// Runs one step, turning what it throws into a `DeployStepFailure` named after it.
    private func step<R: Sendable>(_ name: String, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let abandoned as DeployAbandoned {
            throw abandoned
        } catch let cause as StepCause {
            throw DeployStepFailure(step: name, cause: cause.message)
        } catch let error as any PublicError {
            throw DeployStepFailure(step: name, cause: error.publicMessage)
        } catch let error as VaultError {
            throw DeployStepFailure(step: name, cause: "a secret cannot be opened: \(error)")
        } catch is CancellationError {
            throw DeployStepFailure(step: name, cause: "the platform is shutting down")
        } catch {
            logger.error("tenant.deploy_step_error", ["step": name, "error": "\(error)"])
            throw DeployStepFailure(step: name, cause: "an internal error (see the platform log)")
        }
    }
}

/// Why a step failed, in words for the operator.
struct StepCause: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
