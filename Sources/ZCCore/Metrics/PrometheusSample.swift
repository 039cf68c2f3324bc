/// The metric types a `# TYPE` line of the Prometheus text format (version 0.0.4) can declare.
public enum PrometheusMetricType: String, Sendable, Hashable, CaseIterable {
    case counter, gauge, histogram, summary, untyped
}

/// One sample line of a Prometheus exposition: `name{labels} value [timestamp]`.
public struct PrometheusSample: Sendable, Hashable {
    /// The metric name as written on the line (`http_requests_total`, `latency_seconds_bucket`).
    public var name: String
    /// The label set, values unescaped.
    public var labels: [String: String]
    public var value: Double
    /// The optional timestamp, in milliseconds since the Unix epoch (it may be negative).
    public var timestampMilliseconds: Int64?

    public init(name: String, labels: [String: String] = [:], value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }
}

/// A refused exposition: the 1-based line at fault and what is wrong with it.
public struct PrometheusParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line 3: <reason>`.
    public var description: String { "line \(line): \(reason)" }
}

/// A parsed Prometheus text exposition: every sample in order, with the metadata of the `# TYPE` and
/// `# HELP` lines.
public struct PrometheusExposition: Sendable {
    /// Every sample line, in the order of the text.
    public var samples: [PrometheusSample]
    /// The declared type of each family, by the name on its `# TYPE` line.
    public var types: [String: PrometheusMetricType]
    /// The docstring of each family, by the name on its `# HELP` line, unescaped.
    public var help: [String: String]

    public init(
        samples: [PrometheusSample] = [], types: [String: PrometheusMetricType] = [:], help: [String: String] = [:]
    ) {
        self.samples = samples
        self.types = types
        self.help = help
    }

    /// The family a sample belongs to: `x_bucket`, `x_sum` and `x_count` belong to `x` when `x` is declared a
    /// histogram, `x_sum` and `x_count` when `x` is declared a summary; any other sample is its own family.
    public func family(of sample: PrometheusSample) -> String { family(ofName: sample.name) }

    /// The declared type of the sample's family; `untyped` when no `# TYPE` line declares it.
    public func type(of sample: PrometheusSample) -> PrometheusMetricType {
        types[family(ofName: sample.name)] ?? .untyped
    }

    /// The sum of the values of every sample named `name` whose labels include all of `matching`; `nil` when no
    /// sample matched.
    ///
    /// Only counter, gauge and untyped samples count: the samples of histogram and summary families (buckets,
    /// quantiles, `_sum` and `_count`) are skipped, so `sum("x_count")` of a histogram `x` is `nil`. A matched
    /// `NaN` sample makes the sum `NaN`.
    public func sum(_ name: String, matching: [String: String] = [:]) -> Double? {
        switch types[family(ofName: name)] ?? .untyped {
        case .histogram, .summary: return nil
        case .counter, .gauge, .untyped: break
        }
        var total: Double?
        for sample in samples where sample.name == name {
            guard matching.allSatisfy({ sample.labels[$0.key] == $0.value }) else { continue }
            total = (total ?? 0) + sample.value
        }
        return total
    }

    /// The sum of the samples `selector` picks (see `sum(_:matching:)`).
    public func sum(_ selector: PrometheusSelector) -> Double? {
        sum(selector.name, matching: selector.labels)
    }

    func family(ofName name: String) -> String {
        if types[name] != nil { return name }
        for (suffix, kinds) in Self.suffixes where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let type = types[base], kinds.contains(type) { return base }
        }
        return name
    }

    private static let suffixes: [(String, [PrometheusMetricType])] = [
        ("_bucket", [.histogram]), ("_sum", [.histogram, .summary]), ("_count", [.histogram, .summary]),
    ]
}
