/// One TOML value: a scalar, a date/time, an array or a table.
///
/// Equality is structural with two relaxations so that round-trip comparisons work: a NaN float equals any other
/// NaN float (and, as in IEEE 754, `-0.0 == 0.0`), and tables compare their entries regardless of key order.
public enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// Date, time and a UTC offset (`Z` or `±hh:mm`).
    case offsetDateTime(TOMLOffsetDateTime)
    case localDateTime(TOMLLocalDateTime)
    case localDate(TOMLLocalDate)
    case localTime(TOMLLocalTime)
    case array([TOMLValue])
    case table(TOMLTable)

    public static func == (lhs: TOMLValue, rhs: TOMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.offsetDateTime(let a), .offsetDateTime(let b)): return a == b
        case (.localDateTime(let a), .localDateTime(let b)): return a == b
        case (.localDate(let a), .localDate(let b)): return a == b
        case (.localTime(let a), .localTime(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.table(let a), .table(let b)): return a == b
        default: return false
        }
    }

    /// The TOML name of the value's type: `string`, `integer`, `float`, `boolean`, `offset date-time`,
    /// `local date-time`, `local date`, `local time`, `array` or `table`.
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .boolean: return "boolean"
        case .offsetDateTime: return "offset date-time"
        case .localDateTime: return "local date-time"
        case .localDate: return "local date"
        case .localTime: return "local time"
        case .array: return "array"
        case .table: return "table"
        }
    }

    /// `typeName` with its indefinite article, e.g. `an integer`.
    var typeNameWithArticle: String {
        switch self {
        case .integer, .offsetDateTime, .array: return "an " + typeName
        default: return "a " + typeName
        }
    }
}

// MARK: - Accessors

extension TOMLValue {
    /// The string, if this is a string.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is an integer.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The integer as an `Int`, if this is an integer.
    public var int: Int? {
        if case .integer(let value) = self { return Int(exactly: value) }
        return nil
    }

    /// The number as a `Double`, if this is a float or an integer.
    public var double: Double? {
        switch self {
        case .float(let value): return value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    /// The boolean, if this is a boolean.
    public var bool: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var array: [TOMLValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The table, if this is a table.
    public var table: TOMLTable? {
        if case .table(let value) = self { return value }
        return nil
    }

    /// The offset date-time, if this is one.
    public var offsetDateTime: TOMLOffsetDateTime? {
        if case .offsetDateTime(let value) = self { return value }
        return nil
    }

    /// The local date-time, if this is one.
    public var localDateTime: TOMLLocalDateTime? {
        if case .localDateTime(let value) = self { return value }
        return nil
    }

    /// The local date, if this is one.
    public var localDate: TOMLLocalDate? {
        if case .localDate(let value) = self { return value }
        return nil
    }

    /// The local time, if this is one.
    public var localTime: TOMLLocalTime? {
        if case .localTime(let value) = self { return value }
        return nil
    }

    /// The value under `key`, if this is a table holding that key.
    public subscript(key: String) -> TOMLValue? {
        table?[key]
    }

    /// The element at `index`, if this is an array long enough.
    public subscript(index: Int) -> TOMLValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}

// MARK: - Initializers

extension TOMLValue {
    /// A string value.
    public init(_ value: String) {
        self = .string(value)
    }

    /// An integer value.
    public init(_ value: Int) {
        self = .integer(Int64(value))
    }

    /// An integer value.
    public init(_ value: Int64) {
        self = .integer(value)
    }

    /// A float value.
    public init(_ value: Double) {
        self = .float(value)
    }

    /// A boolean value.
    public init(_ value: Bool) {
        self = .boolean(value)
    }

    /// An array value.
    public init(_ elements: [TOMLValue]) {
        self = .array(elements)
    }

    /// A table value.
    public init(_ table: TOMLTable) {
        self = .table(table)
    }
}

// MARK: - Literals

extension TOMLValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension TOMLValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension TOMLValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .float(value)
    }
}

extension TOMLValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .boolean(value)
    }
}

extension TOMLValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: TOMLValue...) {
        self = .array(elements)
    }
}

extension TOMLValue: ExpressibleByDictionaryLiteral {
    /// A table literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, TOMLValue)...) {
        self = .table(TOMLTable(elements))
    }
}

// MARK: - Description

extension TOMLValue: CustomStringConvertible {
    /// The value as it would be written after `key = ` in a TOML document (arrays and tables inline).
    public var description: String {
        var writer = TOMLEncoder()
        writer.writeInline(self)
        return writer.output
    }
}
