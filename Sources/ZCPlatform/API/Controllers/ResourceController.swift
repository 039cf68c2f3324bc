import ZCCore
import ZCHTTP

/// `/api/tenants/{id}/resources` and `/usage` (viewer): a tenant's resource charts and metered usage.
struct ResourceController: Sendable {
    struct HistoryQuery {
        let range: ResourceRange
        let from: Timestamp
        let to: Timestamp
    }

    let store: any Store
    let authorizer: Authorizer

    func register(in router: inout Router) {
        router.get("/api/tenants/{id}/resources", resources)
        router.get("/api/tenants/{id}/usage", usage)
    }

    @Sendable func resources(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (_, tenant) = try await authorizer.require(
            .readResources, tenant: try context.parameter("id"), context)
        let text = request.queryParameter("range") ?? "1h"
        guard let range = ResourceRange(rawValue: text) else {
            throw HTTPError(
                .badRequest,
                "range must be one of \(ResourceRange.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let now = Timestamp.now()
        let id = tenant.id
        let view = try await store.read { reader in
            try await Self.history(of: id, range: range, now: now, reader: reader)
        }
        return JSONBody.response(view)
    }

    @Sendable func usage(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let (_, tenant) = try await authorizer.require(.readUsage, tenant: try context.parameter("id"), context)
        let (from, to) = try Self.usagePeriod(request)
        let id = tenant.id
        let hours = try await store.read { try await $0.usage(of: id, from: from, to: to) }
        return JSONBody.response(
            TenantUsagePage(
                tenantId: id.rawValue, from: from, to: to,
                total: UsageTotalsView(
                    messages: hours.reduce(0) { $0 + $1.messages }, tokensIn: hours.reduce(0) { $0 + $1.tokensIn },
                    tokensOut: hours.reduce(0) { $0 + $1.tokensOut }),
                hours: hours.map {
                    UsageHourView(
                        hour: $0.hour, messages: $0.messages, tokensIn: $0.tokensIn, tokensOut: $0.tokensOut)
                }))
    }

    struct TenantUsagePage: Encodable {
        let tenantId: String
        let from: Timestamp
        let to: Timestamp
        let total: UsageTotalsView
        let hours: [UsageHourView]
    }

    /// Charts up to a day read the snapshots; the week reads the hourly roll-ups (168 rows).
    static func history(
        of id: TenantID, range: ResourceRange, now: Timestamp, reader: any StoreReader
    ) async throws
        -> ResourceHistoryView
    {
        let bucket = range.bucketSeconds
        // Buckets aligned to whole bucket widths, the last one holding `now`.
        let end = Timestamp(seconds: (now.seconds / bucket + 1) * bucket)
        let from = end.adding(seconds: -range.seconds)
        let buckets: [ResourceBucket]
        if range == .week {
            buckets = try await reader.hourlyResources(of: id, from: from, to: end)
        } else {
            buckets = try await reader.snapshotBuckets(of: id, from: from, to: end, bucketSeconds: bucket)
        }
        let recent = try await reader.snapshots(of: id, from: now.adding(seconds: -900), to: now)
        return ResourceHistoryView(
            tenantId: id.rawValue, range: range.rawValue, from: from, to: end, bucketSeconds: bucket,
            current: recent.last.map(SnapshotView.init), history: buckets.map(BucketView.init))
    }

    /// `?range=24h|7d|30d` (default 24h): whole hours, the current one included.
    static func usagePeriod(_ request: HTTPRequest) throws -> (Timestamp, Timestamp) {
        let ranges: [String: Int64] = ["24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400]
        let text = request.queryParameter("range") ?? "24h"
        guard let seconds = ranges[text] else { throw HTTPError(.badRequest, "range must be one of 24h, 7d, 30d") }
        let to = Timestamp.now().startOfHour
        return (to.adding(seconds: -seconds + 3600), to)
    }
}
