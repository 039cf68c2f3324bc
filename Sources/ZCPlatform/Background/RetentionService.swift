import ZCCore

/// Prunes what the configuration keeps only for a while: resource snapshots (7 days by default), usage
/// hours, the audit log when a retention is set, access tokens and login codes a day past expiry, and
/// the authentication attempts and limit rows anonymous clients make the platform write. Batched, so
/// writers never wait long.
public struct RetentionService: Service {
    public struct Rule: Sendable, Hashable {
        public var table: RetentionTable
        public var keepSeconds: Int64
    }

    public let name = "retention"
    let store: any Store
    let rules: [Rule]
    let interval: Duration
    let batchRows: Int
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    /// Whether this node is the cluster's leader, which alone prunes.
    let isLeader: @Sendable () -> Bool

    public init(
        store: any Store, rules: [Rule], interval: Duration, batchRows: Int, logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        isLeader: @escaping @Sendable () -> Bool = { true }
    ) {
        self.isLeader = isLeader
        self.store = store
        self.rules = rules
        self.interval = interval
        self.batchRows = batchRows
        self.logger = logger
        self.sleep = sleep
    }

    public static func rules(for configuration: PlatformConfiguration) -> [Rule] {
        let day: Int64 = 86_400
        var rules: [Rule] = []
        // The tables the standard collectors write; a registry without them keeps no rule for them.
        if let days = configuration.collectors["resource"]?.retentionDays {
            rules.append(Rule(table: .resourceSnapshots, keepSeconds: Int64(days) * day))
        }
        if let days = try? configuration.settings("collectors.resource").int("rollup_retention_days") {
            rules.append(Rule(table: .resourceRollups, keepSeconds: Int64(days) * day))
        }
        if let days = configuration.collectors["usage"]?.retentionDays {
            rules.append(Rule(table: .usageMetrics, keepSeconds: Int64(days) * day))
        }
        if configuration.store.auditRetentionDays > 0 {
            rules.append(Rule(table: .auditLog, keepSeconds: Int64(configuration.store.auditRetentionDays) * day))
        }
        rules.append(Rule(table: .accessTokens, keepSeconds: day))
        // What unauthenticated clients can make the platform write: login codes a day past expiry,
        // attempts a day, limit rows once their window is long over.
        rules.append(Rule(table: .loginCodes, keepSeconds: day))
        rules.append(Rule(table: .authAttempts, keepSeconds: max(day, Int64(configuration.auth.otpWindowSeconds))))
        rules.append(Rule(table: .authLimits, keepSeconds: max(3600, 2 * Int64(configuration.auth.otpWindowSeconds))))
        return rules
    }

    /// Prunes every `interval` while this node is the cluster's leader (a single node always is); a node
    /// that is not asks again every few seconds, so a new leader prunes soon after it takes over.
    public func run() async throws {
        while !Task.isCancelled {
            let leading = isLeader()
            if leading { await pruneOnce(now: .now()) }
            do {
                try await sleep(leading ? interval : min(interval, .seconds(5)))
            } catch {
                return
            }
        }
    }

    /// One pass over every rule; failures are logged and retried on the next pass.
    @discardableResult
    public func pruneOnce(now: Timestamp) async -> [RetentionTable: Int] {
        var deleted: [RetentionTable: Int] = [:]
        for rule in rules {
            let cutoff = now.adding(seconds: -rule.keepSeconds)
            do {
                let count = try await store.prune(rule.table, olderThan: cutoff, batchSize: batchRows)
                deleted[rule.table] = count
                if count > 0 {
                    logger.info("retention.pruned", ["table": rule.table.rawValue, "rows": count, "cutoff": cutoff])
                }
            } catch is CancellationError {
                return deleted
            } catch {
                logger.error("retention.failed", ["table": rule.table.rawValue, "error": String(describing: error)])
            }
        }
        return deleted
    }
}
