import ZCCore

/// Turns each tenant's counters, scraped every cycle, into usage since the previous scrape: per series
/// (a metric name and its labels), the growth since last time, or — when the counter went down, because
/// the agent restarted — its whole new value.
struct UsageCounters: Sendable {
    /// What one measure (messages, input tokens, output tokens) reads: the first selector that matches
    /// anything in a scrape wins, so an agent exposing both name families is not counted twice.
    struct Measure: Sendable {
        let name: String
        let selectors: [PrometheusSelector]
    }

    /// Last values by measure and series, per tenant.
    private var last: [TenantID: [String: Double]] = [:]

    /// The usage `exposition` adds since the tenant's previous scrape (one value per measure). On the
    /// first scrape of a tenant, `countFromZero` says whether its counters began while we watched (a new
    /// agent: all of it is new usage) or not (the platform restarted: only later growth counts).
    mutating func delta(
        of tenant: TenantID, _ exposition: PrometheusExposition, measures: [Measure], countFromZero: Bool
    ) -> [Int64] {
        let known = last[tenant]
        var current: [String: Double] = [:]
        var totals: [Int64] = []
        for measure in measures {
            var total = 0.0
            for selector in measure.selectors {
                let series = exposition.samples.filter { sample in
                    selector.matches(sample) && exposition.type(of: sample) != .histogram
                        && exposition.type(of: sample) != .summary && sample.value.isFinite && sample.value >= 0
                }
                guard !series.isEmpty else { continue }
                for sample in series {
                    let key = Self.key(measure.name, sample)
                    current[key] = sample.value
                    let previous = known?[key] ?? (known == nil && !countFromZero ? sample.value : 0)
                    total += sample.value >= previous ? sample.value - previous : sample.value
                }
                break
            }
            totals.append(Int64(total.rounded()))
        }
        last[tenant] = current
        return totals
    }

    /// Forgets tenants that are no longer scraped.
    mutating func retain(_ tenants: Set<TenantID>) {
        last = last.filter { tenants.contains($0.key) }
    }

    func hasBaseline(_ tenant: TenantID) -> Bool { last[tenant] != nil }

    static func key(_ measure: String, _ sample: PrometheusSample) -> String {
        var key = measure + "|" + sample.name
        for (name, value) in sample.labels.sorted(by: { $0.key < $1.key }) { key += "|\(name)=\(value)" }
        return key
    }
}
