import ZCCore

/// A statement whose interpolated values become bound parameters.
///
/// `"SELECT * FROM tenants WHERE id = \(id)"` renders as `... WHERE id = ?1` for SQLite and `$1` for
/// PostgreSQL, with `id` bound. Only `\(raw:)` splices text, and only for SQL the code itself writes.
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation {
    enum Fragment: Sendable {
        case text(String)
        case bind(SQLValue)
    }

    var fragments: [Fragment]

    public init(stringLiteral value: String) {
        fragments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        fragments = stringInterpolation.fragments
    }

    /// Appends another query, its binds included.
    public static func + (lhs: SQLQuery, rhs: SQLQuery) -> SQLQuery {
        var result = lhs
        result.fragments.append(contentsOf: rhs.fragments)
        return result
    }

    public static func += (lhs: inout SQLQuery, rhs: SQLQuery) {
        lhs.fragments.append(contentsOf: rhs.fragments)
    }

    /// Like `render`, but refuses text holding NUL, which PostgreSQL cannot store: every store then
    /// answers the same way.
    public func renderChecked(_ dialect: SQLDialect) throws -> (sql: String, binds: [SQLValue]) {
        let rendered = render(dialect)
        for case .text(let text) in rendered.binds where text.utf8.contains(0) {
            throw StoreError(.constraintViolation, "text values must not contain NUL characters")
        }
        return rendered
    }

    /// The SQL text for `dialect` and the values to bind, in placeholder order.
    public func render(_ dialect: SQLDialect) -> (sql: String, binds: [SQLValue]) {
        var sql = ""
        var binds: [SQLValue] = []
        var length = 0
        for fragment in fragments {
            if case .text(let text) = fragment { length += text.utf8.count } else { length += 4 }
        }
        sql.reserveCapacity(length)
        for fragment in fragments {
            switch fragment {
            case .text(let text):
                sql += text
            case .bind(let value):
                binds.append(value)
                sql += dialect.placeholder(binds.count)
            }
        }
        return (sql, binds)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [Fragment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            fragments.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            guard !literal.isEmpty else { return }
            fragments.append(.text(literal))
        }

        /// Binds `value`.
        public mutating func appendInterpolation(_ value: some SQLBindable) {
            fragments.append(.bind(value.sqlValue))
        }

        /// Binds `value`, or NULL when it is nil.
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) {
            fragments.append(.bind(value.sqlValue))
        }

        /// Splices SQL written by the code itself (column lists, keywords). Never user input.
        public mutating func appendInterpolation(raw sql: String) {
            fragments.append(.text(sql))
        }

        /// Splices another query, binds included.
        public mutating func appendInterpolation(_ query: SQLQuery) {
            fragments.append(contentsOf: query.fragments)
        }
    }
}
