import Foundation
import Synchronization
import ZCCore
import ZCCrypto
import ZCHTTP

/// Turns tenant records into running agents and operates them: deploy (in the background), start, stop,
/// restart, delete, logs, exec and re-rendering after configuration changes, each guarded by the status
/// machine, one at a time per tenant, and audited. On startup it reconciles the runtime with the store.
public final class TenantLifecycle: Service {
    public let name = "lifecycle"

    /// What the lifecycle needs to know from the configuration.
    public struct Settings: Sendable {
        public var nodeID: String
        /// The agent image of tenants that have none recorded before the first fleet rollout: `runtime.image`,
        /// or the process runtime's agent command.
        public var image: String
        /// The channel kinds the agent's image is built with (`runtime.agent_channels`).
        public var agentChannels: AgentChannels = .all
        /// Where agents' gateways are published, and where the platform reaches them.
        public var publishAddress: String
        public var agentHost: String
        public var agentCommand: [String]
        public var stopTimeout: Duration
        public var healthTimeout: Duration
        public var deletedRetention: Duration
        /// How long the copy of a tenant that moved away is kept.
        public var movedRetention: Duration
        /// The most file content a tenant's directory may hold to be moved.
        public var moveMaxBytes: Int64 = 20 << 30
        public var deployConcurrency: Int
        public var maxExecTimeout: Duration
        /// Exec allowed on a runtime without isolation (`runtime.process_exec`).
        public var execWithoutIsolation: Bool
        /// How often the directories of deleted tenants are checked for purging.
        public var purgeInterval: Duration = .seconds(600)
        /// How often a reconcile that could not reach the runtime is tried again.
        public var reconcileRetry: Duration = .seconds(30)
        /// How often the runtime and the store are reconciled while the platform runs.
        public var reconcileInterval: Duration
        /// A deploy that has not ended this long after it began is finished (its agent healthy) or failed
        /// by the next reconciliation.
        public var deployTimeout: Duration
        /// Attempts at recording a deploy's end while the store refuses for a passing reason.
        public var finishAttempts: Int
        public var finishBackoff: Duration = .milliseconds(500)
        /// Whether other nodes may share the store. A node alone on its store (SQLite) deploys every tenant
        /// on itself, whatever node an earlier life (another host name) recorded.
        public var clustered = true

        public init(_ configuration: PlatformConfiguration) {
            nodeID = configuration.cluster.nodeID
            image =
                configuration.runtime.driver == "process"
                ? configuration.runtime.agentCommand : configuration.runtime.image
            publishAddress = configuration.runtime.publishAddress
            agentHost = configuration.runtime.agentHost
            agentCommand = configuration.runtime.agentCommand.split(separator: " ").map(String.init)
            agentChannels = configuration.runtime.agentChannels
            stopTimeout = .seconds(configuration.runtime.stopTimeoutSeconds)
            healthTimeout = .seconds(configuration.runtime.healthTimeoutSeconds)
            deletedRetention = .seconds(configuration.runtime.deletedRetentionHours * 3600)
            movedRetention = .seconds(configuration.cluster.movedRetentionHours * 3600)
            moveMaxBytes = configuration.cluster.moveMaxBytes
            deployConcurrency = configuration.runtime.deployConcurrency
            maxExecTimeout = .seconds(configuration.runtime.execTimeoutSeconds)
            execWithoutIsolation = configuration.runtime.processExec
            reconcileInterval = .seconds(configuration.runtime.reconcileIntervalSeconds)
            deployTimeout = .seconds(configuration.runtime.deployTimeoutSeconds)
            finishAttempts = configuration.runtime.deployFinishAttempts
        }
    }

    /// Background work: deploys, and restarts after configuration changes.
    enum Job: Sendable {
        case deploy(TenantID, actor: String)
        case reconfigure(TenantID, actor: String)
        /// Move the tenant to the node its `moving_to` names.
        case move(TenantID)
    }

    let store: any Store
    let runtime: any ContainerRuntime
    let vault: Vault
    let plans: [String: Plan]
    let settings: Settings
    let directories: TenantDirectories
    /// Takes host paths out of what members read (`error_message`, audit causes).
    let scrubber: HostPathScrubber
    let placement: TenantPlacement
    /// Which node a tenant that has none is deployed on.
    let nodePlacement: NodePlacement
    let logger: Logger
    let locks = TenantLocks()
    /// Probes agents' `/health`; it exists while `run()` runs (deploys only run there).
    let probeClient = Mutex<HTTPClient?>(nil)
    let jobs: (stream: AsyncStream<Job>, continuation: AsyncStream<Job>.Continuation)
    /// Tenants whose delete asked a running deploy to give up.
    let abandoned = Mutex<Set<TenantID>>([])
    /// Tenants with a deploy queued, so reconciliation does not queue a second.
    let pendingDeploys = Mutex<Set<TenantID>>([])
    /// Tenants whose deploy pipeline runs now in this process.
    let runningDeploys = Mutex<Set<TenantID>>([])
    /// The store's instance id, read once: every container carries it (`zcplatform.instance`).
    let instance = Mutex<String?>(nil)
    let metrics: LifecycleMetrics
    /// Wakes the reconciliation loop early (`wake()`).
    let wakeup = Wakeup()
    /// Set while the node has fenced itself (`fence()`): reconciliation starts nothing.
    let fenced = Mutex(false)
    /// Tenants whose move from this node runs now, and the archives they offer their targets.
    let runningMoves = Mutex<Set<TenantID>>([])
    let moveArchives = Mutex<[TenantID: String]>([:])
    /// Calls other nodes (moves).
    let nodeClient: NodeClient

    public init(
        store: any Store, runtime: any ContainerRuntime, vault: Vault, configuration: PlatformConfiguration,
        metrics: MetricsRegistry, logger: Logger, settings: Settings? = nil
    ) {
        self.store = store
        self.runtime = runtime
        self.vault = vault
        plans = configuration.plans
        self.settings = settings ?? Settings(configuration)
        directories = TenantDirectories(
            root: configuration.runtime.dataDirectory, ownedByTenant: runtime.isolated && getuid() == 0)
        scrubber = HostPathScrubber(configuration, dataDirectory: directories.root)
        placement = TenantPlacement(ports: configuration.runtime.portRange, uids: configuration.runtime.uidRange)
        nodePlacement = NodePlacement(configuration)
        self.logger = logger
        jobs = AsyncStream.makeStream(of: Job.self)
        self.metrics = LifecycleMetrics(metrics)
        nodeClient = NodeClient(
            nodeID: configuration.cluster.nodeID, store: store, signature: ForwardingSignature(vault: vault))
    }

    public func run() async throws {
        if !runtime.isolated {
            logger.warning(
                "runtime.no_isolation",
                [
                    "driver": runtime.driver,
                    "detail":
                        "agents run as local processes of this user, with no isolation from the host or each other; use the docker runtime in production",
                ])
        }
        let probe = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: .seconds(2), readTimeout: .seconds(5), maxResponseBytes: 1 << 20, maxIdlePerEndpoint: 1)
        )
        probeClient.withLock { $0 = probe }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.reconcilePeriodically() }
            group.addTask { await self.purgeDeletedDirectories() }
            group.addTask { await self.processJobs() }
        }
        jobs.continuation.finish()
        probeClient.withLock { $0 = nil }
        await probe.shutdown()
        await nodeClient.shutdown()
    }

    func enqueue(_ job: Job) {
        if case .deploy(let id, _) = job {
            guard pendingDeploys.withLock({ $0.insert(id).inserted }) else { return }
        }
        jobs.continuation.yield(job)
    }

    /// Runs queued jobs, at most `deployConcurrency` at once, until cancelled.
    private func processJobs() async {
        await withTaskGroup(of: Void.self) { group in
            var active = 0
            for await job in jobs.stream {
                if active >= settings.deployConcurrency {
                    await group.next()
                    active -= 1
                }
                group.addTask { await self.perform(job) }
                active += 1
            }
        }
    }

    private func perform(_ job: Job) async {
        switch job {
        case .deploy(let id, let actor):
            // No longer queued: a deploy asked from now on queues again (the lock orders the two).
            runningDeploys.withLock { _ = $0.insert(id) }
            pendingDeploys.withLock { _ = $0.remove(id) }
            await runDeploy(id, actor: actor)
            runningDeploys.withLock { _ = $0.remove(id) }
        case .reconfigure(let id, let actor): await runReconfigure(id, actor: actor)
        case .move(let id): await runMove(id)
        }
    }

    private func purgeDeletedDirectories() async {
        while !Task.isCancelled {
            let cutoff = Timestamp.now().adding(seconds: -settings.deletedRetention.components.seconds)
            let movedCutoff = Timestamp.now().adding(seconds: -settings.movedRetention.components.seconds)
            do {
                for path in try await directories.purgeInBackground(deletedBefore: cutoff, movedBefore: movedCutoff) {
                    logger.notice("tenant.data_purged", ["path": path])
                }
            } catch {
                logger.error("tenant.purge_failed", ["error": "\(error)"])
            }
            do { try await Task.sleep(for: settings.purgeInterval) } catch { return }
        }
    }

    // MARK: Helpers shared by the actions

    /// The tenant, or a 404.
    func requireTenant(_ id: TenantID, in reader: any StoreReader) async throws -> Tenant {
        guard let tenant = try await reader.tenant(id) else { throw Failure.notFound("tenant '\(id)' not found") }
        return tenant
    }

    func audit(
        _ action: String, tenant: TenantID, actor: String, clientIP: String? = nil, detail: [String: JSONValue] = [:],
        in transaction: any StoreTransaction
    ) async throws {
        try await transaction.appendAudit(
            NewAuditEvent(
                at: .now(), actor: actor, action: action, tenantID: tenant.rawValue, clientIP: clientIP, detail: detail)
        )
    }

    /// Writes an audit event on its own, logging (not throwing) when the store refuses.
    func auditAlone(
        _ action: String, tenant: TenantID, actor: String, clientIP: String? = nil, detail: [String: JSONValue]
    ) async {
        do {
            try await store.withTransaction { transaction in
                try await self.audit(
                    action, tenant: tenant, actor: actor, clientIP: clientIP, detail: detail, in: transaction)
            }
        } catch {
            logger.error("audit.failed", ["action": action, "tenant": tenant.rawValue, "error": "\(error)"])
        }
    }

    func container(of tenant: Tenant) -> ContainerID { ContainerID(tenant: tenant.id) }

    /// The database's instance id (read from the store once).
    func instanceID() async throws -> String {
        if let known = instance.withLock({ $0 }) { return known }
        let id = try await store.read { try await $0.instanceID() }
        instance.withLock { $0 = id }
        return id
    }

    /// Creates the tenant's directory and writes its agent's config. Something the tenant planted where
    /// the platform writes (a link, a FIFO, a device, a hard link) is refused, logged and audited as
    /// `tenant.tree_refused`; nothing is written through it.
    func writeAgentFiles(_ tenant: Tenant, uid: Int) async throws {
        do {
            // The agent's pairings live in the file being replaced: carried over, never wiped.
            let text = try await renderConfig(tenant, pairedTokens: try pairedTokens(of: tenant.id))
            try directories.writeConfig(text, of: tenant.id, uid: uid)
        } catch let refusal as TenantTreeRefusal {
            logger.warning(
                "tenant.tree_refused", ["tenant": tenant.id.rawValue, "path": refusal.path, "found": refusal.found])
            await auditAlone(
                "tenant.tree_refused", tenant: tenant.id, actor: "system:platform",
                detail: ["path": .string(refusal.path), "found": .string(refusal.found)])
            throw refusal
        } catch let failure as TenantTreeFailure {
            logger.error("tenant.directory_failed", ["tenant": tenant.id.rawValue, "error": failure.description])
            throw failure
        }
    }
}
