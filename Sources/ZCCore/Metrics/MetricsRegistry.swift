import Synchronization

/// The platform's own metrics, exposed in Prometheus text format at `/metrics`.
///
/// Families are declared once (name, help, type, label names); samples are kept per label values.
/// Updates take a short lock; rendering takes a snapshot.
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    struct Family {
        let name: String
        let help: String
        let kind: Kind
        let labelNames: [String]
        let buckets: [Double]
        var samples: [[String]: Sample] = [:]
    }

    struct Sample {
        var value: Double = 0
        var bucketCounts: [UInt64] = []
        var sum: Double = 0
        var count: UInt64 = 0
    }

    private let families = Mutex<[String: Family]>([:])
    private let order = Mutex<[String]>([])

    public init() {}

    /// Declares a counter (only ever increases).
    public func counter(_ name: String, help: String, labels: [String] = []) -> Counter {
        declare(name, help: help, kind: .counter, labels: labels, buckets: [])
        return Counter(registry: self, name: name)
    }

    /// Declares a gauge (goes up and down).
    public func gauge(_ name: String, help: String, labels: [String] = []) -> Gauge {
        declare(name, help: help, kind: .gauge, labels: labels, buckets: [])
        return Gauge(registry: self, name: name)
    }

    /// Declares a histogram with upper bounds `buckets` (sorted; `+Inf` is implied).
    public func histogram(_ name: String, help: String, labels: [String] = [], buckets: [Double]) -> Histogram {
        declare(name, help: help, kind: .histogram, labels: labels, buckets: buckets.sorted())
        return Histogram(registry: self, name: name)
    }

    private func declare(_ name: String, help: String, kind: Kind, labels: [String], buckets: [Double]) {
        families.withLock { families in
            guard families[name] == nil else { return }
            families[name] = Family(name: name, help: help, kind: kind, labelNames: labels, buckets: buckets)
            order.withLock { $0.append(name) }
        }
    }

    /// Changes one sample in place. (Copying the family out of the dictionary and back, as this once did,
    /// copied every sample of the family on each update: with a hundred routes, on every request.)
    func update(_ name: String, labels: [String], _ change: (inout Sample, _ buckets: [Double]) -> Void) {
        families.withLock { families in
            guard let index = families.index(forKey: name) else { return }
            let buckets = families.values[index].buckets
            change(
                &families.values[index].samples[
                    labels, default: Sample(bucketCounts: Array(repeating: 0, count: buckets.count))], buckets)
        }
    }

    func value(_ name: String, labels: [String]) -> Double {
        families.withLock { $0[name]?.samples[labels]?.value ?? 0 }
    }

    /// Every family in Prometheus text exposition format 0.0.4.
    public func render() -> String {
        let names = order.withLock { $0 }
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in names {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(Self.escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            for labels in family.samples.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                guard let sample = family.samples[labels] else { continue }
                let pairs = zip(family.labelNames, labels).map { "\($0)=\"\(Self.escapeLabel($1))\"" }
                switch family.kind {
                case .counter, .gauge:
                    out += "\(name)\(Self.braces(pairs)) \(Self.number(sample.value))\n"
                case .histogram:
                    var cumulative: UInt64 = 0
                    for (bound, count) in zip(family.buckets, sample.bucketCounts) {
                        cumulative += count
                        out += "\(name)_bucket\(Self.braces(pairs + ["le=\"\(Self.number(bound))\""])) \(cumulative)\n"
                    }
                    out += "\(name)_bucket\(Self.braces(pairs + ["le=\"+Inf\""])) \(sample.count)\n"
                    out += "\(name)_sum\(Self.braces(pairs)) \(Self.number(sample.sum))\n"
                    out += "\(name)_count\(Self.braces(pairs)) \(sample.count)\n"
                }
            }
        }
        return out
    }

    static func braces(_ pairs: [String]) -> String { pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}" }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escapeLabel(_ text: String) -> String {
        text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n")
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }
}

/// A monotonically increasing count.
public struct Counter: Sendable {
    let registry: MetricsRegistry
    let name: String

    public func increment(by amount: Double = 1, labels: [String] = []) {
        registry.update(name, labels: labels) { sample, _ in sample.value += max(0, amount) }
    }

    /// Raises the count to `total`, a count kept elsewhere (a store's own); never lowers it.
    public func raise(to total: Double, labels: [String] = []) {
        registry.update(name, labels: labels) { sample, _ in sample.value = max(sample.value, total) }
    }

    public func value(labels: [String] = []) -> Double { registry.value(name, labels: labels) }
}

/// A value that goes up and down.
public struct Gauge: Sendable {
    let registry: MetricsRegistry
    let name: String

    public func set(_ value: Double, labels: [String] = []) {
        registry.update(name, labels: labels) { sample, _ in sample.value = value }
    }

    public func add(_ delta: Double, labels: [String] = []) {
        registry.update(name, labels: labels) { sample, _ in sample.value += delta }
    }

    public func value(labels: [String] = []) -> Double { registry.value(name, labels: labels) }
}

/// Observations counted into buckets, with their sum and count.
public struct Histogram: Sendable {
    let registry: MetricsRegistry
    let name: String

    public func observe(_ value: Double, labels: [String] = []) {
        registry.update(name, labels: labels) { sample, buckets in
            if let index = buckets.firstIndex(where: { value <= $0 }) { sample.bucketCounts[index] += 1 }
            sample.sum += value
            sample.count += 1
        }
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
