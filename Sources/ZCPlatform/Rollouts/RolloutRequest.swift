import Foundation
import ZCCore

/// What `POST /api/rollouts` asks, checked: every bad field is a 422 naming it.
public struct RolloutRequest: Sendable, Hashable {
    public static let fields: Set<String> = [
        "image", "canary", "batch_size", "health_seconds", "max_failures", "tenants", "pause_after_canary",
    ]

    public var image: String
    public var canary: RolloutAmount = .count(1)
    public var batchSize: RolloutAmount = .percent(10)
    public var healthSeconds = 30
    public var maxFailures = 1
    /// The tenants to update, in this order; nil for the whole fleet (every tenant not pinned).
    public var tenants: [TenantID]?
    public var pauseAfterCanary = false

    public init(image: String) {
        self.image = image
    }

    /// Reads a request body's fields (unknown fields are refused before this).
    public init(_ body: [String: JSONValue]) throws(ValidationError) {
        guard case .string(let raw)? = body["image"] else {
            throw ValidationError(field: "image", "is required: the agent image to roll out")
        }
        image = try Self.image(raw)
        if let value = body["canary"] {
            canary = try RolloutAmount.parse(value, field: "canary", minimum: 0)
        }
        if let value = body["batch_size"] {
            batchSize = try RolloutAmount.parse(value, field: "batch_size", minimum: 1)
        }
        if let value = body["health_seconds"] {
            healthSeconds = try Self.whole(value, field: "health_seconds", in: 0...3600)
        }
        if let value = body["max_failures"] {
            maxFailures = try Self.whole(value, field: "max_failures", in: 1...100_000)
        }
        if let value = body["pause_after_canary"] {
            guard case .bool(let flag) = value else {
                throw ValidationError(field: "pause_after_canary", "must be true or false")
            }
            pauseAfterCanary = flag
        }
        if let value = body["tenants"] {
            guard case .array(let items) = value, !items.isEmpty, items.count <= 100_000 else {
                throw ValidationError(field: "tenants", "must be a non-empty array of tenant ids")
            }
            var seen: Set<TenantID> = []
            var ids: [TenantID] = []
            for item in items {
                guard case .string(let text) = item, let id = try? TenantID(text) else {
                    throw ValidationError(field: "tenants", "must hold tenant ids (strings)")
                }
                guard seen.insert(id).inserted else {
                    throw ValidationError(field: "tenants", "names tenant '\(id)' twice")
                }
                ids.append(id)
            }
            tenants = ids
        }
    }

    /// An image reference: 1 to 512 characters, no control characters (the process runtime's is a
    /// command line, so spaces are allowed there).
    static func image(_ raw: String) throws(ValidationError) -> String {
        let image = raw.trimmingCharacters(in: .whitespaces)
        guard !image.isEmpty, image.unicodeScalars.count <= 512,
            !image.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw ValidationError(
                field: "image", "must be an image reference: 1 to 512 characters, no control characters")
        }
        return image
    }

    static func whole(_ value: JSONValue, field: String, in range: ClosedRange<Int>) throws(ValidationError) -> Int {
        guard case .number(let number) = value, number.rounded() == number, number >= Double(range.lowerBound),
            number <= Double(range.upperBound)
        else {
            throw ValidationError(
                field: field, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(number)
    }

    /// The rollout's batches over `count` tenants: the canary (batch 0, possibly empty), then batches of
    /// `batchSize`. Returns each tenant's batch number, in order.
    public func batches(of count: Int) -> [Int] {
        let canary = self.canary.of(count)
        let size = max(1, batchSize.of(count))
        return (0..<count).map { index in
            index < canary ? 0 : 1 + (index - canary) / size
        }
    }
}
