import Synchronization

/// Evaluates the built-in rules on an interval and notifies on every change: an alert that has held for
/// its rule's duration fires once, and resolves once when its condition ends (de-duplicated: a firing
/// alert is not sent again while it stays firing).
///
/// A `.node` evaluator watches this node's tenants and host. A `.cluster` evaluator watches the cluster
/// (`NodeDown`) and evaluates only while this node leads; its states are kept under `cluster`, so a new
/// leader neither fires again what fired nor forgets it, and an alert fires once per cluster.
public final class AlertEvaluator: Service {
    public enum Scope: Sendable {
        case node
        case cluster(isLeader: @Sendable () -> Bool)
    }

    public let name: String
    let scope: Scope
    let store: any Store
    let health: HealthBoard
    let notifier: any Notifier
    let rules: AlertRules
    let nodeID: String
    let interval: Duration
    let logger: Logger
    /// The data directory's disk use in percent (nil when it cannot be read).
    let diskUsage: @Sendable () -> Double?
    let dataPath: String
    let metrics: AlertMetrics

    private struct State {
        /// Conditions seen, by alert key, with when each was first seen.
        var pending: [String: Alert] = [:]
        /// Alerts that fired and have not resolved.
        var firing: [String: Alert] = [:]
        /// Whether the states kept in the store were taken (once, at the first evaluation).
        var loaded = false
        /// What the store holds now, so an evaluation that changed nothing writes nothing.
        var stored: Set<AlertState> = []

        var states: Set<AlertState> {
            Set(
                pending.compactMap { key, alert in firing[key] == nil ? AlertState(alert: alert, firing: false) : nil }
                    + firing.values.map { AlertState(alert: $0, firing: true) })
        }
    }

    private let state = Mutex(State())

    public init(
        store: any Store, health: HealthBoard, notifier: any Notifier, rules: AlertRules, nodeID: String,
        interval: Duration, dataPath: String, metrics: MetricsRegistry, logger: Logger,
        diskUsage: @escaping @Sendable () -> Double?, scope: Scope = .node
    ) {
        self.scope = scope
        if case .cluster = scope { name = "cluster-alerts" } else { name = "alerts" }
        self.store = store
        self.health = health
        self.notifier = notifier
        self.rules = rules
        self.nodeID = nodeID
        self.interval = interval
        self.dataPath = dataPath
        self.logger = logger
        self.diskUsage = diskUsage
        self.metrics = AlertMetrics(metrics)
    }

    /// The alerts firing now, oldest first.
    public var firing: [Alert] {
        state.withLock { Array($0.firing.values) }.sorted { ($0.activeSince, $0.key) < ($1.activeSince, $1.key) }
    }

    public func run() async throws {
        while !Task.isCancelled {
            do {
                try await evaluate(now: .now())
            } catch is CancellationError {
                return
            } catch {
                logger.error("alerts.evaluation_failed", ["error": CollectorSchedule.describe(error)])
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// One evaluation at `now`: finds the active conditions, fires those that held long enough, resolves
    /// those that ended, and sends the notifications.
    public func evaluate(now: Timestamp) async throws {
        if case .cluster(let isLeader) = scope, !isLeader() {
            // Another node leads: it evaluates. What this node knew is read again if it leads later.
            state.withLock { $0 = State() }
            return
        }
        let owner = stateOwner
        if !state.withLock({ $0.loaded }) {
            // What fired before a restart stays fired (not sent again), and resolves once; what was pending
            // keeps when it was first seen.
            let kept = try await store.read { try await $0.alertStates(nodeID: owner) }
            state.withLock { state in
                for entry in kept {
                    state.pending[entry.alert.key] = entry.alert
                    if entry.firing { state.firing[entry.alert.key] = entry.alert }
                }
                state.stored = Set(kept)
                state.loaded = true
            }
        }
        let active = try await conditions(now: now)
        let (fired, resolved) = state.withLock { state in
            var fired: [Alert] = []
            var resolved: [Alert] = []
            var pending: [String: Alert] = [:]
            for (key, condition) in active {
                var alert = condition.alert
                // Keep when the condition was first seen.
                if let seen = state.pending[key] { alert.activeSince = min(seen.activeSince, alert.activeSince) }
                pending[key] = alert
                if state.firing[key] == nil, now.seconds - alert.activeSince.seconds >= condition.holdFor {
                    state.firing[key] = alert
                    fired.append(alert)
                }
            }
            for (key, alert) in state.firing where active[key] == nil {
                state.firing[key] = nil
                resolved.append(alert)
            }
            state.pending = pending
            return (fired, resolved)
        }
        // Kept before anything is sent: a restart after this neither fires again what fired nor forgets it.
        let (changed, states) = state.withLock { state in (state.states != state.stored, state.states) }
        if changed {
            try await store.withTransaction { transaction in
                try await transaction.replaceAlertStates(
                    nodeID: owner, with: states.sorted { $0.alert.key < $1.alert.key })
                // The audit log keeps each firing and resolution: the console's recent alerts.
                for (alert, action) in fired.map({ ($0, "alert.firing") }) + resolved.map({ ($0, "alert.resolved") }) {
                    try await transaction.appendAudit(
                        NewAuditEvent(
                            at: now, actor: "system:alerts", action: action, tenantID: alert.labels["tenant"],
                            target: alert.key,
                            detail: [
                                "alert": .string(alert.name), "severity": .string(alert.severity.rawValue),
                                "summary": .string(alert.summary), "since": .string(alert.activeSince.iso8601),
                            ]))
                }
            }
            state.withLock { $0.stored = states }
        }
        metrics.update(firing)
        for alert in fired { await send(alert, kind: .alertFiring, at: now) }
        for alert in resolved { await send(alert, kind: .alertResolved, at: now) }
    }

    private struct Condition {
        let alert: Alert
        /// Seconds the condition must hold before the alert fires.
        let holdFor: Int64
    }

    /// Whose states these are in `alert_states`: this node's, or the cluster's.
    var stateOwner: String {
        if case .cluster = scope { return "cluster" }
        return nodeID
    }

    private func conditions(now: Timestamp) async throws -> [String: Condition] {
        if case .cluster = scope { return try await clusterConditions() }
        var found: [String: Condition] = [:]
        func add(_ alert: Alert, holdFor: Duration) {
            found[alert.key] = Condition(alert: alert, holdFor: holdFor.components.seconds)
        }
        let (tenants, snapshots) = try await store.read { reader in
            (
                try await reader.tenants(TenantFilter(nodeID: self.nodeID, limit: Int.max)),
                try await reader.latestSnapshots()
            )
        }
        for tenant in tenants where tenant.status == .error {
            add(
                Alert(
                    name: "TenantInError", severity: .warning, labels: ["tenant": tenant.id.rawValue, "node": nodeID],
                    summary: "Tenant \(tenant.id) is in error",
                    description: tenant.errorMessage ?? "the tenant's agent failed",
                    activeSince: tenant.updatedAt), holdFor: rules.errorFor)
        }
        let mine = Set(tenants.filter { $0.status == .running }.map(\.id))
        for id in mine.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let probe = health.health(of: id), probe.degraded else { continue }
            add(
                Alert(
                    name: "TenantDegraded", severity: .warning, labels: ["tenant": id.rawValue, "node": nodeID],
                    summary: "Tenant \(id)'s agent reports a part in error",
                    description: probe.lastError ?? "a component of the agent reports an error", activeSince: now),
                holdFor: rules.errorFor)
        }
        for snapshot in snapshots where mine.contains(snapshot.tenantID) && snapshot.cpuPct > rules.cpuPercent {
            // A snapshot older than a few minutes no longer says anything about now.
            guard now.seconds - snapshot.collectedAt.seconds <= 300 else { continue }
            add(
                Alert(
                    name: "TenantHighCPU", severity: .warning,
                    labels: ["tenant": snapshot.tenantID.rawValue, "node": nodeID],
                    summary: "Tenant \(snapshot.tenantID) uses \(Int(snapshot.cpuPct)) % CPU",
                    description: "above \(Int(rules.cpuPercent)) % of a core", activeSince: now), holdFor: rules.cpuFor)
        }
        if let used = diskUsage() {
            // Both fire above the critical line, as two alerting rules would.
            for (severity, limit) in [
                (Notification.Severity.warning, rules.diskWarningPercent), (.critical, rules.diskCriticalPercent),
            ] where used > limit {
                add(
                    Alert(
                        name: "HostDiskUsage", severity: severity, labels: ["node": nodeID, "path": dataPath],
                        summary: "Disk \(Int(used)) % full on \(nodeID)",
                        description: "above \(Int(limit)) % at \(dataPath)", activeSince: now),
                    holdFor: .zero)
            }
        }
        if let outage = health.runtimeOutage {
            add(
                Alert(
                    name: "RuntimeUnavailable", severity: .critical, labels: ["node": nodeID],
                    summary: "The container runtime is unreachable on \(nodeID)", description: outage.reason,
                    activeSince: outage.since), holdFor: rules.runtimeOutageFor)
        }
        return found
    }

    /// What the cluster shares, evaluated by the leader alone so that it fires once: `NodeDown` for every
    /// node marked down (by the leader, `cluster.node_down_seconds` after its heartbeat expired), at once,
    /// until the node beats again; `BackupFailed` while the newest backup failed (`zcplatform backup`
    /// records each run in the shared audit log), until one succeeds; `RolloutHalted` while the newest
    /// rollout is halted or rolled back, until it is resumed or aborted, or another starts.
    private func clusterConditions() async throws -> [String: Condition] {
        let (nodes, backups, rollouts) = try await store.read { reader in
            (
                try await reader.nodes(), try await reader.auditEvents(AuditQuery(action: "backup", limit: 1)).events,
                try await reader.rollouts(limit: 1)
            )
        }
        var found: [String: Condition] = [:]
        if let rollout = rollouts.first, rollout.state == .halted || rollout.state == .rolledBack {
            let alert = Alert(
                name: "RolloutHalted", severity: .critical, labels: ["rollout": rollout.id],
                summary: "Rollout \(rollout.id) of \(rollout.image) halted",
                description:
                    "\(rollout.reason ?? "too many failed updates"). The batch in flight goes back to its old image; tenants already updated keep the new one. Resume it, or roll them back with a rollout of the old image.",
                activeSince: rollout.updatedAt)
            found[alert.key] = Condition(alert: alert, holdFor: 0)
        }
        if let last = backups.first, last.detail["outcome"] == .string("failed") {
            var reason = "the last backup failed"
            if case .string(let error)? = last.detail["error"] { reason += ": \(error)" }
            let alert = Alert(
                name: "BackupFailed", severity: .warning, labels: [:], summary: "The last zcplatform backup failed",
                description: reason, activeSince: last.at)
            found[alert.key] = Condition(alert: alert, holdFor: 0)
        }
        for node in nodes where node.state == .down {
            let alert = Alert(
                name: "NodeDown", severity: .critical, labels: ["node": node.id],
                summary: "Node \(node.id) is down",
                description: "no heartbeat from \(node.id) (\(node.address)) since \(node.lastHeartbeat)",
                activeSince: node.expiresAt)
            found[alert.key] = Condition(alert: alert, holdFor: 0)
        }
        return found
    }

    private func send(_ alert: Alert, kind: Notification.Kind, at now: Timestamp) async {
        var labels = alert.labels
        labels["alertname"] = alert.name
        labels["severity"] = alert.severity.rawValue
        let event = kind == .alertFiring ? "alert.firing" : "alert.resolved"
        logger.log(
            kind == .alertFiring ? .warning : .notice, event,
            ["alert": alert.name, "severity": alert.severity.rawValue, "labels": alert.key, "summary": alert.summary])
        do {
            try await notifier.send(
                Notification(
                    kind: kind, severity: alert.severity, title: alert.summary, body: alert.description, labels: labels,
                    at: now, startedAt: alert.activeSince))
            metrics.notifications.increment(labels: ["delivered"])
        } catch {
            metrics.notifications.increment(labels: ["failed"])
            logger.error("alerts.notify_failed", ["alert": alert.name, "error": CollectorSchedule.describe(error)])
        }
    }
}

/// What the alerts report at `/metrics`.
final class AlertMetrics: Sendable {
    let firing: Gauge
    let notifications: Counter
    let known = Mutex<Set<[String]>>([])

    init(_ registry: MetricsRegistry) {
        firing = registry.gauge(
            "zcplatform_alerts_firing", help: "Alerts firing now, by name and severity.",
            labels: ["alertname", "severity"])
        notifications = registry.counter(
            "zcplatform_alert_notifications_total", help: "Alert notifications by outcome.", labels: ["outcome"])
    }

    func update(_ alerts: [Alert]) {
        var counts: [[String]: Int] = [:]
        for alert in alerts { counts[[alert.name, alert.severity.rawValue], default: 0] += 1 }
        let previous = known.withLock { known in
            defer { known.formUnion(counts.keys) }
            return known
        }
        for labels in previous.union(counts.keys) { firing.set(Double(counts[labels] ?? 0), labels: labels) }
    }
}
