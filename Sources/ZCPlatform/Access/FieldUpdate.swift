/// One field of a partial update (`PATCH`): left as it is, set to null, or set to a value. A service
/// decides what null means for the field (cleared, or refused).
public enum FieldUpdate<Value: Sendable>: Sendable {
    case unchanged
    case null
    case value(Value)

    /// From a field read as `Value??`: absent (nil), null (`.some(nil)`), or a value.
    public init(_ field: Value??) {
        switch field {
        case .none: self = .unchanged
        case .some(.none): self = .null
        case .some(.some(let value)): self = .value(value)
        }
    }
}
