import Foundation

/// Wall-clock measurement and summaries for the benchmarks.
enum Clock {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }

    static func measure<R>(_ body: () async throws -> R) async rethrows -> (R, Double) {
        let start = now()
        let result = try await body()
        return (result, seconds(since: start))
    }
}

struct Samples {
    private(set) var values: [Double] = []

    mutating func add(_ value: Double) { values.append(value) }

    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let index = Swift.min(sorted.count - 1, Swift.max(0, Int((p / 100 * Double(sorted.count - 1)).rounded())))
        return sorted[index]
    }

    var max: Double { values.max() ?? 0 }
    var count: Int { values.count }
}

enum Format {
    /// `1,234,567` or `12.3`: thousands separated, a fixed number of decimals.
    static func number(_ value: Double, decimals: Int = 0) -> String {
        let text = String(format: "%.\(decimals)f", value)
        let parts = text.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        let negative = whole.hasPrefix("-")
        if negative { whole.removeFirst() }
        var grouped = ""
        for (index, digit) in whole.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let result = (negative ? "-" : "") + String(grouped.reversed())
        return parts.count > 1 ? result + "." + parts[1] : result
    }

    static func ms(_ seconds: Double) -> String { number(seconds * 1000, decimals: seconds < 0.01 ? 2 : 1) + " ms" }

    static func mib(_ bytes: Int64) -> String { number(Double(bytes) / 1_048_576, decimals: 1) + " MiB" }
}

/// A fixed-seed generator so every run writes the same data.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }
}
