import Synchronization
import ZCCore

/// The column names of one result, shared by all its rows.
public final class SQLColumns: Sendable {
    public let names: [String]
    let indexByName: [String: Int]
    /// Where the next lookup probably is: decoders read a row's columns in the order they were selected,
    /// so the column after the last one found is tried first, one string comparison instead of a hash.
    /// Only a hint (shared by the result's rows; a wrong one costs the dictionary lookup).
    private let next = Atomic<Int>(0)
    private let firstOfName: [Bool]

    public init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        self.indexByName = index
        // A repeated name answers its first column only.
        firstOfName = names.indices.map { index[names[$0]] == $0 }
    }

    /// The position of the first column named `name`.
    func index(of name: String) -> Int? {
        let hint = next.load(ordering: .relaxed)
        if hint < names.count, firstOfName[hint], names[hint] == name {
            next.store(hint + 1, ordering: .relaxed)
            return hint
        }
        guard let position = indexByName[name] else { return nil }
        next.store(position + 1, ordering: .relaxed)
        return position
    }

}

/// One result row. Accessors throw a `StoreError` naming the column when the value has the wrong type.
public struct SQLRow: Sendable {
    public let columns: SQLColumns
    public let values: [SQLValue]

    public init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public func value(_ column: String) throws -> SQLValue {
        guard let index = columns.index(of: column), index < values.count else {
            throw StoreError(.other, "result has no column '\(column)'")
        }
        return values[index]
    }

    public func isNull(_ column: String) throws -> Bool {
        if case .null = try value(column) { return true }
        return false
    }

    public func int64(_ column: String) throws -> Int64 {
        guard let result = try optionalInt64(column) else { throw typeError(column, "an integer", .null) }
        return result
    }

    public func optionalInt64(_ column: String) throws -> Int64? {
        let raw = try value(column)
        switch raw {
        case .null: return nil
        case .integer(let value): return value
        case .real(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int64(value)
        case .text(let text): if let value = Int64(text) { return value }
        default: break
        }
        throw typeError(column, "an integer", raw)
    }

    public func int(_ column: String) throws -> Int { Int(try int64(column)) }

    public func optionalInt(_ column: String) throws -> Int? { try optionalInt64(column).map { Int($0) } }

    public func double(_ column: String) throws -> Double {
        let raw = try value(column)
        switch raw {
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case .text(let text): if let value = Double(text) { return value }
        default: break
        }
        throw typeError(column, "a number", raw)
    }

    public func string(_ column: String) throws -> String {
        guard let result = try optionalString(column) else { throw typeError(column, "text", .null) }
        return result
    }

    public func optionalString(_ column: String) throws -> String? {
        let raw = try value(column)
        switch raw {
        case .null: return nil
        case .text(let text): return text
        case .integer(let value): return String(value)
        default: throw typeError(column, "text", raw)
        }
    }

    public func bool(_ column: String) throws -> Bool {
        let raw = try value(column)
        switch raw {
        case .integer(let value): return value != 0
        case .text("t"), .text("true"): return true
        case .text("f"), .text("false"): return false
        default: throw typeError(column, "a boolean", raw)
        }
    }

    public func optionalBlob(_ column: String) throws -> [UInt8]? {
        let raw = try value(column)
        switch raw {
        case .null: return nil
        case .blob(let bytes): return bytes
        default: throw typeError(column, "bytes", raw)
        }
    }

    public func blob(_ column: String) throws -> [UInt8] {
        guard let result = try optionalBlob(column) else { throw typeError(column, "bytes", .null) }
        return result
    }

    public func timestamp(_ column: String) throws -> Timestamp { Timestamp(seconds: try int64(column)) }

    public func optionalTimestamp(_ column: String) throws -> Timestamp? {
        try optionalInt64(column).map { Timestamp(seconds: $0) }
    }

    /// The kind of value found is named, never the value itself.
    private func typeError(_ column: String, _ expected: String, _ found: SQLValue) -> StoreError {
        let kind: String
        switch found {
        case .null: kind = "NULL"
        case .integer: kind = "an integer"
        case .real: kind = "a real"
        case .text: kind = "text"
        case .blob: kind = "bytes"
        }
        return StoreError(.other, "column '\(column)' holds \(kind), expected \(expected)")
    }
}
