import Synchronization
import ZCCore

/// A store that fails write transactions on cue, in front of a real one: for tests of what the platform
/// does when the database refuses a write (SQLITE_BUSY past its timeout, a lost PostgreSQL connection).
/// Reads always go through.
public final class FaultInjectingStore: Store {
    public let base: any Store
    public let faults: StoreFaults
    public var driver: String { base.driver }

    public init(_ base: any Store, faults: StoreFaults) {
        self.base = base
        self.faults = faults
    }

    public func migrate() async throws -> [Migration] { try await base.migrate() }
    public func schemaVersion() async throws -> SchemaVersion { try await base.schemaVersion() }

    public func read<R: Sendable>(_ body: @Sendable (any StoreReader) async throws -> R) async throws -> R {
        try await base.read(body)
    }

    public func withTransaction<R: Sendable>(
        _ body: @Sendable (any StoreTransaction) async throws -> R
    ) async throws
        -> R
    {
        if let error = faults.next() { throw error }
        return try await base.withTransaction(body)
    }

    public func prune(_ table: RetentionTable, olderThan cutoff: Timestamp, batchSize: Int) async throws -> Int {
        try await base.prune(table, olderThan: cutoff, batchSize: batchSize)
    }

    public func close() async { await base.close() }
}

/// What the next write transactions do: go through, or fail with a store error.
public final class StoreFaults: Sendable {
    private struct Plan {
        var skip = 0
        var fail = 0
        var failed = 0
        /// Every write fails: the database is down.
        var down = false
    }

    private let plan = Mutex(Plan())
    public let error: StoreError

    public init(error: StoreError = StoreError(.busy, "injected: the database is locked")) {
        self.error = error
    }

    /// Lets `skipping` transactions through, then fails the `failing` after them.
    public func inject(skipping: Int = 0, failing: Int) {
        plan.withLock { $0 = Plan(skip: skipping, fail: failing, failed: $0.failed, down: $0.down) }
    }

    /// Fails every write until called again with false.
    public func down(_ isDown: Bool) {
        plan.withLock { $0.down = isDown }
    }

    /// How many transactions were failed so far.
    public var failed: Int { plan.withLock { $0.failed } }

    func next() -> StoreError? {
        plan.withLock { plan in
            if plan.down {
                plan.failed += 1
                return error
            }
            if plan.skip > 0 {
                plan.skip -= 1
                return nil
            }
            guard plan.fail > 0 else { return nil }
            plan.fail -= 1
            plan.failed += 1
            return error
        }
    }
}
