/// A TOML table: string keys mapped to values, remembering the order keys were first inserted.
///
/// Iteration, `keys` and `values` follow insertion order (the order of the source document when decoded).
/// Equality ignores order, as TOML tables are unordered: two tables are equal when they hold the same keys with
/// equal values.
public struct TOMLTable: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: TOMLValue)

    private var orderedKeys: [String]
    private var storage: [String: TOMLValue]

    /// An empty table.
    public init() {
        orderedKeys = []
        storage = [:]
    }

    /// A table with `pairs` in order; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, TOMLValue) {
        self.init()
        for (key, value) in pairs {
            set(value, forKey: key)
        }
    }

    /// A table literal; a repeated key keeps its last value.
    public init(dictionaryLiteral elements: (String, TOMLValue)...) {
        self.init(elements)
    }

    /// The keys in insertion order.
    public var keys: [String] { orderedKeys }

    /// The values in key insertion order.
    public var values: [TOMLValue] { orderedKeys.compactMap { storage[$0] } }

    public var count: Int { orderedKeys.count }

    public var isEmpty: Bool { orderedKeys.isEmpty }

    /// Whether the table holds `key`.
    public func contains(key: String) -> Bool {
        storage[key] != nil
    }

    /// The value under `key`; assigning `nil` removes the key, assigning to a new key appends it.
    public subscript(key: String) -> TOMLValue? {
        get { storage[key] }
        set {
            if let newValue {
                set(newValue, forKey: key)
            } else {
                remove(key)
            }
        }
    }

    /// Stores `value` under `key`: an existing key keeps its position, a new key goes last.
    public mutating func set(_ value: TOMLValue, forKey key: String) {
        if storage.updateValue(value, forKey: key) == nil {
            orderedKeys.append(key)
        }
    }

    /// Removes `key` and returns its value, if it was present.
    @discardableResult
    public mutating func remove(_ key: String) -> TOMLValue? {
        guard let old = storage.removeValue(forKey: key) else { return nil }
        if let index = orderedKeys.firstIndex(of: key) {
            orderedKeys.remove(at: index)
        }
        return old
    }

    /// The value found by following `path` through nested tables (an empty path yields the table itself).
    public func value(atPath path: [String]) -> TOMLValue? {
        guard let first = path.first else { return .table(self) }
        var current = storage[first]
        for key in path.dropFirst() {
            current = current?[key]
        }
        return current
    }

    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.storage == rhs.storage
    }

    public func makeIterator() -> Iterator {
        Iterator(table: self)
    }

    /// Iterates a table's entries in insertion order.
    public struct Iterator: IteratorProtocol {
        private let table: TOMLTable
        private var index = 0

        init(table: TOMLTable) {
            self.table = table
        }

        public mutating func next() -> Element? {
            while index < table.orderedKeys.count {
                let key = table.orderedKeys[index]
                index += 1
                if let value = table.storage[key] {
                    return (key, value)
                }
            }
            return nil
        }
    }
}

extension TOMLTable: CustomStringConvertible {
    /// The table as a TOML document.
    public var description: String {
        TOML.encode(self)
    }
}
