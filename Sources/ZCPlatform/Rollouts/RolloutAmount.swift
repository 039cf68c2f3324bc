import ZCCore

/// A number of tenants as an operator writes it: `3`, or `"10%"` of the rollout's tenants.
public enum RolloutAmount: Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    /// Reads `value` of field `field`: a whole number from `minimum`, or a string `N%` with N from 0 to
    /// 100; anything else is a 422 naming the field.
    public static func parse(_ value: JSONValue, field: String, minimum: Int) throws(ValidationError) -> RolloutAmount {
        switch value {
        case .number(let number):
            guard number.rounded() == number, number >= Double(minimum), number <= 1_000_000 else {
                throw ValidationError(
                    field: field, "must be a whole number from \(minimum), or a percentage like \"10%\"")
            }
            return .count(Int(number))
        case .string(let text):
            guard text.hasSuffix("%"), let percent = Int(text.dropLast()), (0...100).contains(percent),
                percent >= min(minimum, 1)
            else {
                throw ValidationError(
                    field: field, "must be a percentage from \(min(minimum, 1))% to 100% (\"10%\"), or a whole number")
            }
            return .percent(percent)
        default:
            throw ValidationError(field: field, "must be a whole number, or a percentage like \"10%\"")
        }
    }

    /// How many of `total` tenants: a percentage rounds up, so any share above 0 % is at least one.
    public func of(_ total: Int) -> Int {
        switch self {
        case .count(let count): min(count, total)
        case .percent(let percent): min(total, (total * percent + 99) / 100)
        }
    }

    public var description: String {
        switch self {
        case .count(let count): "\(count)"
        case .percent(let percent): "\(percent)%"
        }
    }
}
