import ZCCore

/// One operation at a time per tenant: a deploy, a restart and a delete of the same tenant never
/// interleave; different tenants never wait for each other.
actor TenantLocks {
    private var waiting: [TenantID: [CheckedContinuation<Void, Never>]] = [:]

    func withLock<R: Sendable>(_ id: TenantID, _ body: @Sendable () async throws -> R) async throws -> R {
        await acquire(id)
        do {
            let result = try await body()
            release(id)
            return result
        } catch {
            release(id)
            throw error
        }
    }

    private func acquire(_ id: TenantID) async {
        guard waiting[id] != nil else {
            waiting[id] = []
            return
        }
        await withCheckedContinuation { waiting[id, default: []].append($0) }
    }

    private func release(_ id: TenantID) {
        guard var queue = waiting[id], !queue.isEmpty else {
            waiting[id] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[id] = queue
        next.resume()
    }
}
