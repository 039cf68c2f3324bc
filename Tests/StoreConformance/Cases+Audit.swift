import ZCCore

extension StoreConformance {
    static let auditCases: [StoreConformanceCase] = [
        StoreConformanceCase("audit: append and filter by actor, tenant, action and time") { store in
            let events: [NewAuditEvent] = [
                NewAuditEvent(at: Fixtures.now, actor: "a@example.com", action: "tenant.create", tenantID: "acme"),
                NewAuditEvent(
                    at: Fixtures.now.adding(seconds: 10), actor: "a@example.com", action: "tenant.restart",
                    tenantID: "acme", target: "container", clientIP: "203.0.113.7",
                    detail: ["reason": "stuck", "attempt": 2, "nested": ["ok": true]]),
                NewAuditEvent(
                    at: Fixtures.now.adding(seconds: 20), actor: "system:health", action: "tenant.restart",
                    tenantID: "beta"),
                NewAuditEvent(at: Fixtures.now.adding(seconds: 30), actor: "b@example.com", action: "auth.login"),
            ]
            let appended = try await store.withTransaction { transaction in
                var out: [AuditEvent] = []
                for event in events { out.append(try await transaction.appendAudit(event)) }
                return out
            }
            try expect(Set(appended.map(\.id)).count == 4, "ids are distinct")
            func ids(_ query: AuditQuery) async throws -> [Int64] {
                try await store.read { try await $0.auditEvents(query) }.events.map(\.id)
            }
            let all = try await ids(AuditQuery())
            try expectEqual(all, appended.map(\.id).reversed(), "newest first")
            try expectEqual(try await ids(AuditQuery(actor: "a@example.com")).count, 2, "by actor")
            try expectEqual(try await ids(AuditQuery(tenantID: "acme")).count, 2, "by tenant")
            try expectEqual(try await ids(AuditQuery(action: "tenant.restart")).count, 2, "by action")
            try expectEqual(
                try await ids(
                    AuditQuery(since: Fixtures.now.adding(seconds: 10), until: Fixtures.now.adding(seconds: 20))),
                [appended[2].id, appended[1].id], "by time range, inclusive")
            try expectEqual(
                try await ids(AuditQuery(tenantID: "acme", action: "tenant.restart")), [appended[1].id], "combined")
            let full = try await store.read { try await $0.auditEvents(AuditQuery(action: "tenant.restart")) }
            try expectEqual(full.events.last, appended[1], "every field read back, detail included")
        },
        StoreConformanceCase("audit: pagination covers every event once, newest first") { store in
            try await store.withTransaction { transaction in
                for index in 0..<250 {
                    try await transaction.appendAudit(
                        NewAuditEvent(
                            at: Fixtures.now.adding(seconds: Int64(index / 10)), actor: "bulk", action: "test.event",
                            detail: ["n": .number(Double(index))]))
                }
            }
            var seen: [Int64] = []
            var cursor: Int64?
            var pages = 0
            repeat {
                let page = try await store.read { [cursor] in
                    try await $0.auditEvents(AuditQuery(actor: "bulk", limit: 100, cursor: cursor))
                }
                pages += 1
                seen += page.events.map(\.id)
                cursor = page.nextCursor
                try expect(pages < 10, "pagination terminates")
            } while cursor != nil
            try expectEqual(pages, 3, "pages of 100, 100, 50")
            try expectEqual(seen.count, 250, "every event")
            try expectEqual(Set(seen).count, 250, "no event twice")
            try expectEqual(seen, seen.sorted(by: >), "newest first across pages")
        },
    ]
}
