import ZCCore

/// A connection lent for one read snapshot or one write transaction, with the dialect to render in.
/// Every read of the store is written once, in extensions of this protocol.
protocol SQLSession: StoreReader {
    var connection: any SQLConnection { get }
    var dialect: SQLDialect { get }
}

extension SQLSession {
    func rows(_ query: SQLQuery) async throws -> [SQLRow] {
        let (sql, binds) = try query.renderChecked(dialect)
        return try await connection.query(sql, binds)
    }

    func firstRow(_ query: SQLQuery) async throws -> SQLRow? {
        try await rows(query).first
    }

    @discardableResult
    func run(_ query: SQLQuery) async throws -> Int {
        let (sql, binds) = try query.renderChecked(dialect)
        return try await connection.execute(sql, binds)
    }

    /// Runs the same statement once per query of `queries`, which must all render to the same SQL.
    @discardableResult
    func runMany(_ queries: [SQLQuery]) async throws -> Int {
        guard let first = queries.first else { return 0 }
        let sql = first.render(dialect).sql
        return try await connection.executeMany(sql, try queries.map { try $0.renderChecked(dialect).binds })
    }

    /// The subquery that turns a tenant's slug into its integer key.
    func tenantKey(_ id: TenantID) -> SQLQuery {
        "(SELECT tenant_key FROM tenants WHERE id = \(id))"
    }
}

/// A read-only session: a consistent snapshot on a reader connection.
struct SQLReadSession: SQLSession {
    let connection: any SQLConnection
    let dialect: SQLDialect
}

/// A write transaction on the exclusive writer connection.
struct SQLWriteSession: SQLSession, StoreTransaction {
    let connection: any SQLConnection
    let dialect: SQLDialect
}
