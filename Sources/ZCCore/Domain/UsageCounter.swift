/// The last value the usage collector read of one counter series of a tenant's agent, and when: what
/// it counts from after the platform restarts, so nothing the agent counted meanwhile goes unmetered.
public struct UsageCounter: Sendable, Hashable {
    public var tenantID: TenantID
    /// The measure, metric name and labels (`messages|zeroclaw_messages_total`).
    public var series: String
    public var value: Double
    public var scrapedAt: Timestamp

    public init(tenantID: TenantID, series: String, value: Double, scrapedAt: Timestamp) {
        self.tenantID = tenantID
        self.series = series
        self.value = value
        self.scrapedAt = scrapedAt
    }
}
