import Synchronization
import ZCCore
import ZCHTTP

/// Scrapes every running tenant's `/metrics` each cycle (5 min by default) and adds the usage since the
/// previous scrape — messages, input and output tokens — to the tenant's current hour in
/// `usage_metrics`, in one transaction per cycle. Both metric-name families of PRODUCT.md are read by
/// default (`collectors.usage.*_metrics`), and counter resets are handled per series.
///
/// An agent that answers `/metrics` with no samples at all (ZeroClaw with Prometheus off answers 200 and
/// a comment) or with another status is not metered as zero: it is marked `unmetered` on the health
/// board (shown by the monitoring API and the fleet table), logged once, and counted in
/// `zcplatform_usage_unmetered_tenants`.
public final class UsageCollector: Collector {
    public struct Settings: Sendable {
        public var nodeID: String
        public var interval: Duration
        public var concurrency: Int
        public var timeout: Duration
        public var messages: [PrometheusSelector]
        public var tokensIn: [PrometheusSelector]
        public var tokensOut: [PrometheusSelector]
        /// The largest `/metrics` answer read.
        public var maxResponseBytes: Int
        /// Usage measured across a gap longer than this (the platform down, a tenant not scraped) is
        /// still counted, in the hour of the scrape that found it, and said so in a log line.
        public var gapHorizon: Duration
        /// Where agents' gateways answer (`runtime.publish_address`).
        public var agentHost: String

        public init(
            nodeID: String, interval: Duration, concurrency: Int, timeout: Duration, messages: [PrometheusSelector],
            tokensIn: [PrometheusSelector], tokensOut: [PrometheusSelector], maxResponseBytes: Int = 4 << 20,
            gapHorizon: Duration, agentHost: String = "127.0.0.1"
        ) {
            self.agentHost = agentHost
            self.gapHorizon = gapHorizon
            self.nodeID = nodeID
            self.interval = interval
            self.concurrency = concurrency
            self.timeout = timeout
            self.messages = messages
            self.tokensIn = tokensIn
            self.tokensOut = tokensOut
            self.maxResponseBytes = maxResponseBytes
        }
    }

    public let name = "usage"
    public var interval: Duration { settings.interval }
    let store: any Store
    let settings: Settings
    let board: HealthBoard
    let unmeteredGauge: Gauge
    let logger: Logger
    let client: LazyHTTPClient
    let measures: [UsageCounters.Measure]
    /// When this collector began watching: agents started later have all their counters counted.
    let watchingSince: Timestamp
    private let counters = Mutex(UsageCounters())
    /// Whether the readings kept in the store were taken (once, at the first cycle).
    private let loaded = Mutex(false)

    public init(
        store: any Store, settings: Settings, board: HealthBoard, metrics: MetricsRegistry, logger: Logger,
        now: Timestamp = .now()
    ) throws {
        self.store = store
        self.settings = settings
        self.board = board
        unmeteredGauge = metrics.gauge(
            "zcplatform_usage_unmetered_tenants",
            help: "Running tenants whose /metrics gives nothing to meter (Prometheus off, or refused).")
        self.logger = logger
        watchingSince = now
        measures = [
            .init(name: "messages", selectors: settings.messages),
            .init(name: "tokens_in", selectors: settings.tokensIn),
            .init(name: "tokens_out", selectors: settings.tokensOut),
        ]
        client = LazyHTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: settings.timeout, readTimeout: settings.timeout,
                maxResponseBytes: settings.maxResponseBytes, maxIdlePerEndpoint: 0))
    }

    public func shutdown() async { await client.shutdown() }

    public func collect() async throws -> CollectionReport {
        if !loaded.withLock({ $0 }) {
            let kept = try await store.read { try await $0.usageCounters(nodeID: self.settings.nodeID) }
            counters.withLock { $0.load(kept) }
            loaded.withLock { $0 = true }
            if !kept.isEmpty { logger.info("usage.counters_loaded", ["series": kept.count]) }
        }
        let tenants = try await store.read { reader in
            try await reader.tenants(TenantFilter(nodeID: self.settings.nodeID, limit: Int.max))
        }.filter { $0.status == .running && $0.hostPort != nil }
        // An agent started after the newest reading counted everything since its start unread.
        let since = counters.withLock { counters in
            counters.retain(Set(tenants.map(\.id)))
            return counters.newestReading ?? watchingSince
        }
        board.retainMetered(Set(tenants.map(\.id)))
        let scrapes = await mapConcurrently(tenants, limit: settings.concurrency, timeout: settings.timeout) { tenant in
            try await self.scrape(tenant)
        }
        let now = Timestamp.now()
        var hours: [UsageHour] = []
        var readings: [(TenantID, [UsageCounter])] = []
        var failures = 0
        for (tenant, scrape) in zip(tenants, scrapes) {
            switch scrape {
            case .success(let exposition) where exposition.samples.isEmpty:
                markUnmetered(
                    tenant.id,
                    "/metrics has no samples (is [observability] backend = \"prometheus\" in the agent's configuration?)",
                    at: now)
            case .failure(let error as ScrapeError) where error.refused:
                failures += 1
                markUnmetered(tenant.id, error.description, at: now)
            case .success(let exposition):
                if board.setUnmetered(nil, for: tenant.id) {
                    logger.notice("usage.metered_again", ["tenant": tenant.id.rawValue])
                }
                let fresh = tenant.startedAt.map { $0.seconds >= since.seconds } ?? false
                let delta = counters.withLock {
                    $0.delta(
                        of: tenant.id, exposition, measures: measures, at: now, startedAt: tenant.startedAt,
                        countFromZero: fresh)
                }
                readings.append((tenant.id, delta.counters))
                if delta.ignored > 0 {
                    logger.warning("usage.series_ignored", ["tenant": tenant.id.rawValue, "series": delta.ignored])
                }
                if delta.totals.contains(where: { $0 > 0 }) {
                    hours.append(
                        UsageHour(
                            tenantID: tenant.id, hour: now, messages: delta.totals[0], tokensIn: delta.totals[1],
                            tokensOut: delta.totals[2]))
                    if let last = delta.since, now.seconds - last.seconds > settings.gapHorizon.components.seconds {
                        logger.notice(
                            "usage.gap_attributed",
                            [
                                "tenant": tenant.id.rawValue, "since": last, "gap_seconds": now.seconds - last.seconds,
                                "messages": delta.totals[0], "tokens_in": delta.totals[1],
                                "tokens_out": delta.totals[2],
                                "detail": "usage counted across the gap is put in the hour of this scrape",
                            ])
                    }
                }
            case .failure(let error):
                failures += 1
                logger.debug(
                    "usage.scrape_failed", ["tenant": tenant.id.rawValue, "error": CollectorSchedule.describe(error)])
            }
        }
        if !readings.isEmpty {
            let (rows, kept) = (hours, readings)
            // The usage and the readings it was counted from, together: after a restart the next count
            // starts exactly where this one ended.
            try await store.withTransaction { transaction in
                try await transaction.addUsage(rows)
                for (tenant, counters) in kept {
                    try await transaction.replaceUsageCounters(of: tenant, with: counters)
                }
            }
            counters.withLock { $0.record(kept, at: now) }
        }
        unmeteredGauge.set(Double(board.allUnmetered.count), labels: [])
        return CollectionReport(targets: tenants.count, failures: failures, written: hours.count)
    }

    /// Marks a tenant whose agent answered but gave nothing to meter; logs it the first time only.
    private func markUnmetered(_ id: TenantID, _ reason: String, at now: Timestamp) {
        if board.setUnmetered(HealthBoard.Unmetered(since: now, reason: reason), for: id) {
            logger.warning(
                "usage.unmetered",
                ["tenant": id.rawValue, "reason": reason, "detail": "its usage is not counted until this is fixed"])
        }
    }

    /// The agent's `/metrics`, parsed.
    func scrape(_ tenant: Tenant) async throws -> PrometheusExposition {
        guard let port = tenant.hostPort else { throw ScrapeError("the tenant has no port") }
        let response = try await client.client().execute(
            .get, .tcp(host: settings.agentHost, port: port), "/metrics",
            headers: ["Accept": "text/plain; version=0.0.4"], timeout: settings.timeout)
        guard response.status == .ok else {
            throw ScrapeError(
                "/metrics answered \(response.status.code) (is [observability] backend = \"prometheus\"?)",
                refused: true)
        }
        return try PrometheusTextParser.parse(response.body)
    }
}

struct ScrapeError: Error, CustomStringConvertible {
    let description: String
    /// The agent answered, with a status other than 200: it is reachable and not metered.
    let refused: Bool
    init(_ description: String, refused: Bool = false) {
        self.description = description
        self.refused = refused
    }
}
