import Foundation
import Testing
import ZCCore

@Suite("Domain values")
struct DomainValueTests {
    @Test(
        "valid tenant ids",
        arguments: ["acme", "a1b", "acme-corp", "x-2-y", String(repeating: "a", count: 40), "abc"])
    func validTenantID(_ text: String) throws {
        let id = try TenantID(text)
        #expect(id.rawValue == text)
        #expect(id.containerName == "zeroclaw-tenant-\(text)")
    }

    @Test(
        "invalid tenant ids",
        arguments: [
            "", "ab", "Acme", "1acme", "-acme", "acme-", "ac_me", "ac me", "acmé", String(repeating: "a", count: 41),
            "acme.corp", "../etc", "acme\n",
        ])
    func invalidTenantID(_ text: String) {
        let error = #expect(throws: ValidationError.self) { try TenantID(text) }
        #expect(error?.field == "id")
        #expect(error?.failureKind == .invalid)
    }

    @Test("tenant ids decode from JSON only when valid")
    func tenantIDJSON() throws {
        let good = try JSONDecoder().decode([TenantID].self, from: Data(#"["acme"]"#.utf8))
        #expect(good.map(\.rawValue) == ["acme"])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([TenantID].self, from: Data(#"["A!"]"#.utf8)) }
    }

    @Test("email addresses are trimmed, lower-cased and validated")
    func emails() throws {
        #expect(try EmailAddress.normalize("  Alice@Example.COM ") == "alice@example.com")
        for bad in ["", "alice", "@example.com", "alice@", "alice@example", "a b@example.com", "a@b@c.com", "a@.com"] {
            #expect(throws: ValidationError.self, "\(bad)") { try EmailAddress.normalize(bad) }
        }
    }

    @Test("timestamps: RFC 3339, start of hour, truncation of dates")
    func timestamps() {
        #expect(Timestamp(seconds: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 1_790_000_000).iso8601 == "2026-09-21T14:13:20Z")
        #expect(Timestamp(seconds: 7_199).startOfHour == Timestamp(seconds: 3_600))
        #expect(Timestamp(seconds: -1).startOfHour == Timestamp(seconds: -3_600))
        #expect(Timestamp(Date(timeIntervalSince1970: 12.999)) == Timestamp(seconds: 12))
        #expect(Timestamp(iso8601: "2026-09-21T14:13:20Z") == Timestamp(seconds: 1_790_000_000))
        #expect(Timestamp(iso8601: "2026-09-21T16:13:20.5+02:00") == Timestamp(seconds: 1_790_000_000))
        #expect(Timestamp(iso8601: "yesterday") == nil)
    }

    @Test("uptime only while running")
    func uptime() {
        let start = Timestamp(seconds: 1_000)
        var tenant = Tenant(
            id: TenantID(trusted: "acme"), name: "Acme", plan: "default", status: .running, createdAt: start,
            startedAt: start)
        #expect(tenant.uptime(at: Timestamp(seconds: 1_060)) == 60)
        tenant.status = .stopped
        #expect(tenant.uptime(at: Timestamp(seconds: 1_060)) == nil)
    }

    @Test("the default plan is valid; bad limits name their key")
    func plans() {
        #expect(throws: Never.self) { try Plan.standard.validate() }
        var plan = Plan.standard
        plan.memoryBytes = 1024
        let error = #expect(throws: ValidationError.self) { try plan.validate() }
        #expect(error?.field == "plans.default.memory")
    }

    @Test("CPU percent from two counter samples")
    func cpuPercent() {
        let first = ContainerStats(
            cpuNanoseconds: 1_000_000_000, memBytes: 0, memLimit: 0, netIn: 0, netOut: 0, pids: 0,
            sampledAtNanoseconds: 10_000_000_000)
        var second = first
        second.cpuNanoseconds += 500_000_000
        second.sampledAtNanoseconds += 2_000_000_000
        #expect(second.cpuPercent(since: first) == 25)
        #expect(first.cpuPercent(since: second) == 0, "a sample older than the first gives 0, not a negative")
    }

    @Test("store errors map to HTTP statuses and hide internals from clients")
    func storeErrors() {
        #expect(StoreError(.notFound, "tenant 'x' not found").failureKind == .notFound)
        #expect(StoreError(.uniqueViolation, "already exists").failureKind == .conflict)
        #expect(StoreError(.busy, "locked").failureKind == .unavailable)
        #expect(StoreError(.busy, "locked").isRetryable)
        #expect(!StoreError(.corrupt, "bad").isRetryable)
        #expect(StoreError(.corrupt, "/secret/path is damaged").publicMessage == "internal error")
    }
}
