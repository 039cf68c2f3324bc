/// The platform's database: tenants, users, secrets, audit, metrics. One per deployment.
///
/// Implementations: SQLite (single node) and PostgreSQL (several nodes). Both run the same conformance
/// suite. Reads outside a transaction see a consistent snapshot; `withTransaction` rolls back when its
/// body throws.
public protocol Store: Sendable {
    /// The driver's name as the configuration spells it (`sqlite`, `postgres`).
    var driver: String { get }

    /// Applies every migration not yet applied, each in the transaction that records it.
    /// Fails with `schemaTooNew` when the database was written by a newer binary.
    @discardableResult func migrate() async throws -> [Migration]
    /// The applied and the known schema versions.
    func schemaVersion() async throws -> SchemaVersion

    /// Runs `body` against a consistent read snapshot.
    func read<R: Sendable>(_ body: @Sendable (any StoreReader) async throws -> R) async throws -> R
    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    func withTransaction<R: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> R) async throws -> R

    /// Deletes rows of `table` older than `cutoff` in transactions of at most `batchSize` rows each, so no
    /// transaction holds the write lock for long. Returns the number of rows deleted.
    func prune(_ table: RetentionTable, olderThan cutoff: Timestamp, batchSize: Int) async throws -> Int

    /// Closes every connection; later calls fail with `closed`.
    func close() async
}

/// A versioned schema change.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String

    public init(version: Int, name: String) {
        self.version = version
        self.name = name
    }
}

public struct SchemaVersion: Sendable, Hashable {
    /// The highest version applied to the database (0 for a new one).
    public let applied: Int
    /// The highest version this binary knows.
    public let latest: Int

    public init(applied: Int, latest: Int) {
        self.applied = applied
        self.latest = latest
    }
}

extension Store {
    /// Runs one read; shorthand for small lookups.
    public func tenant(_ id: TenantID) async throws -> Tenant? {
        try await read { try await $0.tenant(id) }
    }

    public func user(email: String) async throws -> User? {
        try await read { try await $0.user(email: email) }
    }
}
