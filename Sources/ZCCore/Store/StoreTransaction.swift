/// The writes of the platform, made inside `Store.withTransaction`: all of them commit or none do.
public protocol StoreTransaction: StoreReader {
    // MARK: Tenants
    /// Fails with `uniqueViolation` when the id is taken, or the node's host port or the uid is in use.
    func insertTenant(_ tenant: Tenant) async throws
    /// Writes every mutable field; `notFound` when the tenant does not exist.
    func updateTenant(_ tenant: Tenant) async throws
    /// Deletes the tenant with its members, channels, snapshots and usage; false when it did not exist.
    @discardableResult func deleteTenant(_ id: TenantID) async throws -> Bool
    /// Holds the tenant's row until the transaction ends, so a check of its members, channels or secrets
    /// and the write it guards run one at a time on every store (PostgreSQL's READ COMMITTED would let two
    /// transactions both pass the same check). False when there is no such tenant.
    @discardableResult func lockTenant(_ id: TenantID) async throws -> Bool

    // MARK: Users and members
    func insertUser(_ user: NewUser) async throws -> User
    func updateUser(_ user: User) async throws
    @discardableResult func deleteUser(id: Int64) async throws -> Bool
    /// Adds the member or changes their role.
    func setMembership(_ membership: Membership) async throws
    @discardableResult func removeMembership(tenantID: TenantID, userID: Int64) async throws -> Bool

    // MARK: Channels
    func insertChannel(_ channel: NewChannel) async throws -> Channel
    func updateChannel(_ channel: Channel) async throws
    @discardableResult func deleteChannel(id: Int64) async throws -> Bool

    // MARK: Tenant configuration
    /// Creates or replaces the tenant's configuration; `notFound` when the tenant does not exist.
    func setTenantConfig(_ config: TenantConfig) async throws

    // MARK: Sealed secrets
    /// Replaces the ciphertext at `location` if it still holds `expected` (rewrapping under a new key while
    /// the server may change the same secret); false when it is gone or was changed meanwhile.
    @discardableResult func replaceSealedSecret(
        at location: SecretLocation, expected: SealedSecret, with sealed: SealedSecret
    ) async throws -> Bool

    // MARK: Login
    func insertLoginCode(_ code: NewLoginCode) async throws -> LoginCode
    func consumeLoginCode(id: Int64, at time: Timestamp) async throws
    /// Counts one guess at code `id` if it is unused and has had fewer than `limit`: the guesses so far,
    /// this one included, or nil when it had none left. One conditional update, so parallel guesses on
    /// PostgreSQL never count past `limit`.
    func countLoginCodeGuess(id: Int64, limit: Int) async throws -> Int?
    /// Records one authentication attempt of `email` from `clientIP` (`otp.request`, `otp.verify`).
    func recordAuthAttempt(email: String, clientIP: String, kind: String, at time: Timestamp) async throws
    /// Holds the rate-limit rows named by `keys` (each written, so locked) until the transaction ends:
    /// attempts taking the same keys check and record one after another on every store. Callers that
    /// take several take them in one order.
    func lockAuthLimits(_ keys: [String], at time: Timestamp) async throws
    /// Notes a refusal under `key` (creating its row if need be); true when it is the first since
    /// `windowStart`: audit that one only, so a flood cannot grow the audit log.
    func noteAuthRefusal(key: String, at time: Timestamp, windowStart: Timestamp) async throws -> Bool

    // MARK: Access tokens
    func insertAccessToken(_ token: NewAccessToken) async throws -> AccessToken
    func markAccessTokenUsed(id: Int64, at time: Timestamp) async throws
    @discardableResult func revokeAccessToken(id: Int64, at time: Timestamp) async throws -> Bool

    // MARK: Audit
    @discardableResult func appendAudit(_ event: NewAuditEvent) async throws -> AuditEvent

    // MARK: Metrics
    /// Inserts one collection cycle and folds each row into its tenant's hourly roll-up; snapshots of
    /// tenants that no longer exist are skipped. Returns the number of rows written.
    @discardableResult func insertSnapshots(_ snapshots: [ResourceSnapshot]) async throws -> Int
    /// Adds each hour's counts to what the hour already holds.
    func addUsage(_ hours: [UsageHour]) async throws
    /// Replaces what is kept of `tenant`'s counter series with `counters` (write it in the transaction
    /// that adds the usage they measured, so the two never disagree).
    func replaceUsageCounters(of tenant: TenantID, with counters: [UsageCounter]) async throws

    // MARK: Alerts
    /// Replaces the alerts `nodeID` is watching or has fired.
    func replaceAlertStates(nodeID: String, with states: [AlertState]) async throws

    // MARK: Fleet
    /// Writes a node's row as given (a copy between stores, a test).
    func upsertNode(_ node: Node) async throws
    /// Records a node's heartbeat by the database's clock: `lastHeartbeat` is the database's now,
    /// `expiresAt` that plus `ttlSeconds`; a draining node stays draining, any other becomes active. The
    /// given node's `lastHeartbeat`, `expiresAt` and `state` are ignored; the rest (its vault key's
    /// fingerprint, its address check) is written as given. Returns the row as stored.
    func heartbeat(_ node: Node, ttlSeconds: Int64) async throws -> Node
    /// Marks down every node whose heartbeat expired more than `graceSeconds` ago by the database's
    /// clock; the ids this call marked, each marked by one caller only however many nodes ask.
    func markNodesDown(graceSeconds: Int64) async throws -> [String]
    /// Takes or renews the lease `name` for `holder` until the database's now plus `ttlSeconds`, in one
    /// conditional upsert: renewed only when `holder` holds it, taken only when it has expired (the term
    /// then grows by one). Nil when another holder's lease is still running.
    func acquireLease(_ name: String, holder: String, ttlSeconds: Int64) async throws -> Lease?
    /// Gives the lease up at once when `holder` holds it, so another can take it without waiting.
    func releaseLease(_ name: String, holder: String) async throws
    /// Holds node `id`'s row until the transaction ends, so two placements on one node weigh its room one
    /// after the other (they cannot both take its last room); the node as stored, nil when unknown.
    func lockNode(_ id: String) async throws -> Node?
    /// Sets node `id` to `draining` or back to `active` (the leader alone marks nodes down); the node as
    /// stored, nil when unknown.
    func setNodeState(_ id: String, to state: Node.State) async throws -> Node?
    /// Gives up the moves of tenants whose node is down (the move cannot go on without it): their
    /// `moving_to` is cleared; the tenants it cleared.
    func abandonMovesFromDownNodes() async throws -> [TenantID]
    // MARK: Rollouts
    /// Holds the rollouts' lock until the transaction ends: starting a rollout checks that none runs and
    /// inserts its own, one node at a time.
    func lockRollouts() async throws
    func insertRollout(_ rollout: Rollout, tenants: [RolloutTenant]) async throws
    /// Writes the rollout's state, failure base, reason and times if its state is still `state`; false
    /// when it changed meanwhile (an operator paused it while the leader looked).
    func updateRollout(_ rollout: Rollout, expecting state: RolloutState) async throws -> Bool
    /// Writes the tenant's state, `from` and error if its state is one of `states`; false otherwise.
    func updateRolloutTenant(_ tenant: RolloutTenant, expecting states: Set<RolloutTenantState>) async throws -> Bool
    func upsertRolloutNode(_ node: RolloutNode) async throws
    func setAgentRelease(_ image: String) async throws

    /// Tells the nodes listening on `channel` (`StoreSignals`) of `payload` when this transaction
    /// commits; nothing on a store that no other node shares.
    func signal(_ channel: String, payload: String) async throws
}

/// The tables that retention prunes.
public enum RetentionTable: String, Sendable, Hashable, CaseIterable {
    case resourceSnapshots = "resource_snapshots"
    case resourceRollups = "resource_rollups"
    case usageMetrics = "usage_metrics"
    case auditLog = "audit_log"
    case accessTokens = "access_tokens"
    case loginCodes = "login_codes"
    case authAttempts = "auth_attempts"
    case authLimits = "auth_limits"
}
