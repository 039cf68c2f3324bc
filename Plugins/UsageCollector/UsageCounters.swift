import ZCCore

/// Turns each tenant's counters, scraped every cycle, into usage since the previous reading: per series
/// (a metric name and its labels), the growth since last time, or — when the agent restarted since (its
/// counter went down, or the platform restarted it) — its whole new value.
///
/// The last readings are kept in the store (`usage_counters`, written with the usage they measured), so
/// after a restart of the platform the first scrape counts from them, not from nothing: what the agents
/// counted while the platform was down is metered too.
struct UsageCounters: Sendable {
    /// What one measure (messages, input tokens, output tokens) reads: the first selector that matches
    /// anything in a scrape wins, so an agent exposing both name families is not counted twice.
    struct Measure: Sendable {
        let name: String
        let selectors: [PrometheusSelector]
    }

    /// An agent's metrics are its own to write: at most this many series per measure are followed, and
    /// series names longer than `maxSeriesBytes` are ignored.
    static let maxSeriesPerMeasure = 64
    static let maxSeriesBytes = 512

    /// A tenant's last reading.
    struct Reading: Sendable {
        var values: [String: Double]
        var at: Timestamp
    }

    private var last: [TenantID: Reading] = [:]

    /// Takes the readings kept in the store (after a restart of the platform).
    mutating func load(_ counters: [UsageCounter]) {
        for counter in counters {
            var reading = last[counter.tenantID] ?? Reading(values: [:], at: counter.scrapedAt)
            reading.values[counter.series] = counter.value
            reading.at = max(reading.at, counter.scrapedAt)
            last[counter.tenantID] = reading
        }
    }

    /// What one scrape of a tenant measured.
    struct Delta: Sendable {
        /// Usage since the last reading, one value per measure.
        var totals: [Int64]
        /// The series read now, to keep.
        var counters: [UsageCounter]
        /// When the reading it counted from was taken (nil without one).
        var since: Timestamp?
        /// Series left out (over the bounds).
        var ignored: Int
    }

    /// The usage `exposition`, scraped at `now`, adds since the tenant's last reading. Nothing changes
    /// until `record` takes the new reading, once the usage is stored: a cycle whose write fails is
    /// counted again, whole, by the next.
    ///
    /// - Parameter startedAt: when the platform last started the tenant's agent: counters of an agent
    ///   started after the last reading begin at zero.
    /// - Parameter countFromZero: without any reading of the tenant, whether its counters began while
    ///   the platform watched (all of them is new usage) or not (only later growth counts).
    func delta(
        of tenant: TenantID, _ exposition: PrometheusExposition, measures: [Measure], at now: Timestamp,
        startedAt: Timestamp?, countFromZero: Bool
    ) -> Delta {
        let known = last[tenant]
        let restarted = known.map { reading in startedAt.map { $0.seconds > reading.at.seconds } ?? false } ?? false
        var current: [String: Double] = [:]
        var totals: [Int64] = []
        var ignored = 0
        for measure in measures {
            var total = 0.0
            for selector in measure.selectors {
                let series = exposition.samples.filter { sample in
                    selector.matches(sample) && exposition.type(of: sample) != .histogram
                        && exposition.type(of: sample) != .summary && sample.value.isFinite && sample.value >= 0
                }
                guard !series.isEmpty else { continue }
                var followed = 0
                for sample in series {
                    let key = Self.key(measure.name, sample)
                    guard key.utf8.count <= Self.maxSeriesBytes, followed < Self.maxSeriesPerMeasure else {
                        ignored += 1
                        continue
                    }
                    followed += 1
                    current[key] = sample.value
                    let previous: Double =
                        if let known, !restarted {
                            known.values[key] ?? 0
                        } else if known == nil && !countFromZero {
                            sample.value
                        } else {
                            0
                        }
                    total += sample.value >= previous ? sample.value - previous : sample.value
                }
                break
            }
            totals.append(Int64(total.rounded()))
        }
        return Delta(
            totals: totals,
            counters: current.sorted { $0.key < $1.key }.map {
                UsageCounter(tenantID: tenant, series: $0.key, value: $0.value, scrapedAt: now)
            }, since: known?.at, ignored: ignored)
    }

    /// Takes the readings a cycle stored.
    mutating func record(_ readings: [(TenantID, [UsageCounter])], at now: Timestamp) {
        for (tenant, counters) in readings {
            last[tenant] = Reading(
                values: Dictionary(counters.map { ($0.series, $0.value) }, uniquingKeysWith: { $1 }), at: now)
        }
    }

    /// Forgets tenants that are no longer scraped.
    mutating func retain(_ tenants: Set<TenantID>) {
        last = last.filter { tenants.contains($0.key) }
    }

    func hasBaseline(_ tenant: TenantID) -> Bool { last[tenant] != nil }

    /// When the newest reading of any tenant was taken: an agent started after it counted every message
    /// since its start while no reading of it existed.
    var newestReading: Timestamp? { last.values.map(\.at).max() }

    static func key(_ measure: String, _ sample: PrometheusSample) -> String {
        var key = measure + "|" + sample.name
        for (name, value) in sample.labels.sorted(by: { $0.key < $1.key }) { key += "|\(name)=\(value)" }
        return key
    }
}
