/// Every read the platform makes of its store. Inside a transaction the reads see its own writes.
public protocol StoreReader: Sendable {
    // MARK: Tenants
    func tenant(_ id: TenantID) async throws -> Tenant?
    /// The tenant with the user's role in it (nil where the user is not a member), in one statement: what
    /// every request on a tenant checks first.
    func tenant(_ id: TenantID, roleOfUser userID: Int64) async throws -> (tenant: Tenant, role: TenantRole?)?
    func tenants(_ filter: TenantFilter) async throws -> [Tenant]
    func tenantCountsByStatus() async throws -> [TenantStatus: Int]

    // MARK: Users and members
    func user(id: Int64) async throws -> User?
    func user(email: String) async throws -> User?
    func users() async throws -> [User]
    func role(ofUser userID: Int64, in tenantID: TenantID) async throws -> TenantRole?
    /// Every tenant the user is a member of, with the user's role there, in one read; by tenant id.
    func roles(ofUser userID: Int64) async throws -> [(tenant: TenantID, role: TenantRole)]
    func members(of tenantID: TenantID) async throws -> [Membership]

    // MARK: Channels
    func channel(id: Int64) async throws -> Channel?
    func channels(of tenantID: TenantID) async throws -> [Channel]

    // MARK: Tenant configuration
    func tenantConfig(of tenantID: TenantID) async throws -> TenantConfig?

    // MARK: Sealed secrets
    /// Every sealed secret the store holds, with where it lives (for `rotate-key --rewrap` and
    /// `vault status`).
    func storedSecrets() async throws -> [StoredSecret]

    // MARK: Login
    /// The newest login code of `email` that is neither used nor expired at `time`.
    func activeLoginCode(email: String, at time: Timestamp) async throws -> LoginCode?
    /// Authentication attempts since `since`: of `email`, of `clientIP`, and of everyone (for rate
    /// limiting; read under `lockAuthLimits` so parallel attempts count one after another).
    func authAttemptCounts(email: String, clientIP: String, since: Timestamp) async throws -> AuthAttemptCounts

    // MARK: Access tokens
    func accessToken(hash: [UInt8]) async throws -> AccessToken?
    func accessTokens(ofUser userID: Int64) async throws -> [AccessToken]

    // MARK: Audit
    func auditEvents(_ query: AuditQuery) async throws -> AuditPage

    // MARK: Metrics
    /// One tenant's snapshots with `from <= collectedAt <= to`, oldest first.
    func snapshots(of tenantID: TenantID, from: Timestamp, to: Timestamp) async throws -> [ResourceSnapshot]
    /// The newest snapshot of every tenant that has one.
    func latestSnapshots() async throws -> [ResourceSnapshot]
    /// One tenant's snapshots with `from <= collectedAt < to` summarised in intervals of `bucketSeconds`
    /// aligned to `from`, oldest first; intervals without samples are absent.
    func snapshotBuckets(
        of tenantID: TenantID, from: Timestamp, to: Timestamp, bucketSeconds: Int64
    ) async throws
        -> [ResourceBucket]
    /// One tenant's hourly roll-ups of its snapshots with `from <= hour < to`, oldest first. Every
    /// snapshot inserted is folded into its hour's roll-up, which outlives the snapshots' retention.
    func hourlyResources(of tenantID: TenantID, from: Timestamp, to: Timestamp) async throws -> [ResourceBucket]
    /// One tenant's usage hours with `from <= hour <= to`, oldest first.
    func usage(of tenantID: TenantID, from: Timestamp, to: Timestamp) async throws -> [UsageHour]
    /// Every tenant's usage summed over the hours `from <= hour <= to`, in tenant id order; tenants
    /// without usage in the period are absent.
    func usageTotals(from: Timestamp, to: Timestamp) async throws -> [UsageTotal]
    /// The usage collector's last reading of every counter series of the tenants on `nodeID`.
    func usageCounters(nodeID: String) async throws -> [UsageCounter]

    // MARK: Alerts
    /// The alerts `nodeID` is watching or has fired.
    func alertStates(nodeID: String) async throws -> [AlertState]

    // MARK: Fleet
    /// The fleet views' tenants, in id order, read in one statement (see `FleetQuery`).
    func fleet(_ query: FleetQuery) async throws -> [FleetEntry]
    func nodes() async throws -> [Node]
    /// The tenants placed on each node (all nodes, or only `nodeID`), counted by plan; deleted tenants
    /// and tenants on no node are not counted. One grouped query however many tenants there are.
    func placedTenants(nodeID: String?) async throws -> [PlacedTenants]
    /// The lease `name` as stored, expired or not; nil when never taken.
    func lease(_ name: String) async throws -> Lease?
    /// A random id given to this database when it was created: the platform's containers carry it, so a
    /// platform started on another database (a new, empty one) never takes them for its own.
    func instanceID() async throws -> String
    /// The newest schema migration applied to the store (what `schemaVersion().applied` says), in a plain
    /// read: no lock, no wait on a migration under way elsewhere.
    func appliedSchemaVersion() async throws -> Int
    // MARK: Rollouts
    /// The newest rollouts first.
    func rollouts(limit: Int) async throws -> [Rollout]
    func rollout(_ id: String) async throws -> Rollout?
    /// The rollouts not yet ended, and those whose tenants still have updates under way; oldest first.
    func unfinishedRollouts() async throws -> [Rollout]
    /// A rollout's tenants in their order.
    func rolloutTenants(of rolloutID: String) async throws -> [RolloutTenant]
    /// One tenant's row of a rollout; nil when the tenant is not in it.
    func rolloutTenant(of rolloutID: String, tenant: TenantID) async throws -> RolloutTenant?
    /// The updates and rollbacks the tenants placed on `nodeID` have to perform, of every rollout.
    func rolloutWork(nodeID: String) async throws -> [RolloutTenant]
    /// What each node found when it pulled the rollout's image.
    func rolloutNodes(of rolloutID: String) async throws -> [RolloutNode]
    /// The image new tenants get (set when a rollout of the whole fleet completes); nil before any.
    func agentRelease() async throws -> String?

    /// Row counts of every table, for `db size`, migrations between stores and tests.
    func rowCounts() async throws -> [String: Int]
}

/// Which tenants to list, in id order, a page at a time.
public struct TenantFilter: Sendable, Hashable {
    /// Only tenants this user is a member of.
    public var memberUserID: Int64?
    public var status: TenantStatus?
    public var nodeID: String?
    /// Only tenants whose id sorts after this one (the last id of the previous page).
    public var after: TenantID?
    public var limit: Int

    public init(
        memberUserID: Int64? = nil, status: TenantStatus? = nil, nodeID: String? = nil, after: TenantID? = nil,
        limit: Int = 1000
    ) {
        self.memberUserID = memberUserID
        self.status = status
        self.nodeID = nodeID
        self.after = after
        self.limit = max(1, limit)
    }

    public static let all = TenantFilter(limit: Int.max)
}
