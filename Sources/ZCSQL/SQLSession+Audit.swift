import ZCCore

extension SQLSession {
    func auditEvents(_ query: AuditQuery) async throws -> AuditPage {
        var sql: SQLQuery = """
            SELECT id, at, actor, action, tenant_id, target, client_ip, detail FROM audit_log WHERE 1 = 1
            """
        if let actor = query.actor { sql += " AND actor = \(actor)" }
        if let tenantID = query.tenantID { sql += " AND tenant_id = \(tenantID)" }
        if let action = query.action { sql += " AND action = \(action)" }
        if let since = query.since { sql += " AND at >= \(since)" }
        if let until = query.until { sql += " AND at <= \(until)" }
        if let cursor = query.cursor { sql += " AND id < \(cursor)" }
        sql += " ORDER BY id DESC LIMIT \(query.limit + 1)"
        var events = try await rows(sql).map(AuditEvent.init(row:))
        var next: Int64?
        if events.count > query.limit {
            events.removeLast(events.count - query.limit)
            next = events.last?.id
        }
        return AuditPage(events: events, nextCursor: next)
    }
}

extension SQLWriteSession {
    func appendAudit(_ event: NewAuditEvent) async throws -> AuditEvent {
        let detail = JSONValue.object(event.detail).jsonText
        guard
            let row = try await firstRow(
                """
                INSERT INTO audit_log (at, actor, action, tenant_id, target, client_ip, detail) \
                VALUES (\(event.at), \(event.actor), \(event.action), \(event.tenantID), \(event.target), \
                \(event.clientIP), \(detail)) RETURNING id
                """)
        else { throw StoreError(.other, "insert into audit_log returned no id") }
        return AuditEvent(
            id: try row.int64("id"), at: event.at, actor: event.actor, action: event.action,
            tenantID: event.tenantID, target: event.target, clientIP: event.clientIP, detail: event.detail)
    }
}

extension AuditEvent {
    init(row: SQLRow) throws {
        guard case .object(let detail)? = JSONValue(jsonText: try row.string("detail")) else {
            throw StoreError(.other, "column 'detail' does not hold a JSON object")
        }
        self.init(
            id: try row.int64("id"), at: try row.timestamp("at"), actor: try row.string("actor"),
            action: try row.string("action"), tenantID: try row.optionalString("tenant_id"),
            target: try row.optionalString("target"), clientIP: try row.optionalString("client_ip"), detail: detail)
    }
}
