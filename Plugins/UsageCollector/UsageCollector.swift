import Synchronization
import ZCCore
import ZCHTTP

/// Scrapes every running tenant's `/metrics` each cycle (5 min by default) and adds the usage since the
/// previous scrape — messages, input and output tokens — to the tenant's current hour in
/// `usage_metrics`, in one transaction per cycle. Both metric-name families of PRODUCT.md are read by
/// default (`collectors.usage.*_metrics`), and counter resets are handled per series.
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

        public init(
            nodeID: String, interval: Duration = .seconds(300), concurrency: Int = 32, timeout: Duration = .seconds(10),
            messages: [PrometheusSelector], tokensIn: [PrometheusSelector], tokensOut: [PrometheusSelector],
            maxResponseBytes: Int = 4 << 20
        ) {
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
    let logger: Logger
    let client: LazyHTTPClient
    let measures: [UsageCounters.Measure]
    /// When this collector began watching: agents started later have all their counters counted.
    let watchingSince: Timestamp
    private let counters = Mutex(UsageCounters())

    public init(store: any Store, settings: Settings, logger: Logger, now: Timestamp = .now()) throws {
        self.store = store
        self.settings = settings
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
        let tenants = try await store.read { reader in
            try await reader.tenants(TenantFilter(nodeID: self.settings.nodeID, limit: Int.max))
        }.filter { $0.status == .running && $0.hostPort != nil }
        counters.withLock { $0.retain(Set(tenants.map(\.id))) }
        let scrapes = await mapConcurrently(tenants, limit: settings.concurrency, timeout: settings.timeout) { tenant in
            try await self.scrape(tenant)
        }
        let now = Timestamp.now()
        var hours: [UsageHour] = []
        var failures = 0
        for (tenant, scrape) in zip(tenants, scrapes) {
            switch scrape {
            case .success(let exposition):
                let fresh = tenant.startedAt.map { $0.seconds >= watchingSince.seconds } ?? false
                let delta = counters.withLock {
                    $0.delta(of: tenant.id, exposition, measures: measures, countFromZero: fresh)
                }
                if delta.contains(where: { $0 > 0 }) {
                    hours.append(
                        UsageHour(
                            tenantID: tenant.id, hour: now, messages: delta[0], tokensIn: delta[1], tokensOut: delta[2])
                    )
                }
            case .failure(let error):
                failures += 1
                logger.debug(
                    "usage.scrape_failed", ["tenant": tenant.id.rawValue, "error": CollectorSchedule.describe(error)])
            }
        }
        if !hours.isEmpty {
            let rows = hours
            try await store.withTransaction { try await $0.addUsage(rows) }
        }
        return CollectionReport(targets: tenants.count, failures: failures, written: hours.count)
    }

    /// The agent's `/metrics`, parsed.
    func scrape(_ tenant: Tenant) async throws -> PrometheusExposition {
        guard let port = tenant.hostPort else { throw ScrapeError("the tenant has no port") }
        let response = try await client.client().execute(
            .get, .tcp(host: "127.0.0.1", port: port), "/metrics",
            headers: ["Accept": "text/plain; version=0.0.4"], timeout: settings.timeout)
        guard response.status == .ok else {
            throw ScrapeError(
                "/metrics answered \(response.status.code) (is [observability] backend = \"prometheus\"?)")
        }
        return try PrometheusTextParser.parse(response.body)
    }
}

struct ScrapeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
