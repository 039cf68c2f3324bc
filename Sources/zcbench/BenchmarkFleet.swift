import Foundation
import ZCCore
import ZCCrypto

/// A fleet to measure against, written straight into a store: tenants `tenant-00000`… on one node, each
/// with a resource snapshot and this hour's usage, and a super-admin with an API token.
enum BenchmarkFleet {
    /// The tenants, their latest snapshot and today's usage, and a super-admin's token.
    static func seed(
        _ store: any Store, node: String, tenants count: Int, status: TenantStatus = .running
    ) async throws -> BearerToken {
        let token = try BearerToken.generate()
        let now = Timestamp.now()
        try await store.withTransaction { transaction in
            var random = SplitMix64(state: 16)
            let user = try await transaction.insertUser(
                try NewUser(email: "bench@example.com", isSuperAdmin: true, createdAt: now))
            _ = try await transaction.insertAccessToken(
                NewAccessToken(
                    userID: user.id, kind: .api, name: "bench", tokenHash: token.hash, createdAt: now,
                    expiresAt: now.adding(seconds: 86_400)))
            var snapshots: [ResourceSnapshot] = []
            var usage: [UsageHour] = []
            for index in 0..<count {
                let id = try TenantID(String(format: "tenant-%05d", index))
                var tenant = Tenant(
                    id: id, name: "Tenant \(index)", plan: "default", status: status, createdAt: now)
                tenant.nodeID = node
                if status == .running { tenant.startedAt = now.adding(seconds: -Int64(random.next() % 864_000)) }
                try await transaction.insertTenant(tenant)
                snapshots.append(
                    ResourceSnapshot(
                        tenantID: id, collectedAt: now, cpuPct: Double(random.next() % 10_000) / 100,
                        memBytes: Int64(random.next() % (256 << 20)), memLimit: 256 << 20,
                        diskBytes: Int64(random.next() % (1 << 30)), netIn: 1000, netOut: 1000, pids: 12))
                usage.append(
                    UsageHour(
                        tenantID: id, hour: now.startOfHour, messages: Int64(random.next() % 500),
                        tokensIn: Int64(random.next() % 100_000), tokensOut: Int64(random.next() % 100_000)))
            }
            try await transaction.insertSnapshots(snapshots)
            try await transaction.addUsage(usage)
        }
        return token
    }

    /// A user who owns one tenant and nothing else, with an API token: what a customer's script holds.
    static func owner(of tenant: TenantID, in store: any Store) async throws -> BearerToken {
        let token = try BearerToken.generate()
        let now = Timestamp.now()
        try await store.withTransaction { transaction in
            let user = try await transaction.insertUser(try NewUser(email: "owner@example.com", createdAt: now))
            try await transaction.setMembership(
                Membership(tenantID: tenant, userID: user.id, role: .owner, createdAt: now))
            _ = try await transaction.insertAccessToken(
                NewAccessToken(
                    userID: user.id, kind: .api, name: "bench", tokenHash: token.hash, createdAt: now,
                    expiresAt: now.adding(seconds: 86_400)))
        }
        return token
    }
}
