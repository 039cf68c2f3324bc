/// A change of the agent image across the fleet (or the tenants named): a canary first, then batches,
/// each tenant gated on its agent's health before the next batch starts. Its state lives in the store;
/// the leader drives it and each tenant's node performs its tenant's update (`RolloutTenant`).
public struct Rollout: Sendable, Hashable {
    /// `ro-` and 12 hex digits.
    public var id: String
    /// The image as the operator named it; each node pins it (`RolloutNode.pinned`).
    public var image: String
    public var state: RolloutState
    /// How many tenants the canary batch holds.
    public var canary: Int
    /// How many tenants each later batch holds.
    public var batchSize: Int
    /// How long an updated agent must stay healthy to pass.
    public var healthSeconds: Int
    /// Failures since the last start or resume that halt the rollout.
    public var maxFailures: Int
    public var pauseAfterCanary: Bool
    /// Whether it covers the whole fleet (no tenants named): its completion makes its image the release
    /// new tenants get.
    public var wholeFleet: Bool
    /// The failures counted before the last resume: a resume gives the rollout `maxFailures` again.
    public var failureBase: Int
    /// Why it halted, failed or paused, in the operator's words.
    public var reason: String?
    public var createdBy: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var finishedAt: Timestamp?

    public init(
        id: String, image: String, state: RolloutState = .pending, canary: Int, batchSize: Int, healthSeconds: Int,
        maxFailures: Int, pauseAfterCanary: Bool, wholeFleet: Bool, failureBase: Int = 0, reason: String? = nil,
        createdBy: String, createdAt: Timestamp, updatedAt: Timestamp? = nil, finishedAt: Timestamp? = nil
    ) {
        self.id = id
        self.image = image
        self.state = state
        self.canary = canary
        self.batchSize = batchSize
        self.healthSeconds = healthSeconds
        self.maxFailures = maxFailures
        self.pauseAfterCanary = pauseAfterCanary
        self.wholeFleet = wholeFleet
        self.failureBase = failureBase
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.finishedAt = finishedAt
    }
}

public enum RolloutState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Created; its nodes are pulling and checking the image. Nothing is touched yet.
    case pending
    case running
    /// No new batch starts; updates under way finish their gate.
    case paused
    case completed
    /// Too many failures: the batch in flight is being rolled back.
    case halted
    /// Halted, and the batch in flight is back on its old image.
    case rolledBack = "rolled_back"
    /// The image could not be pulled or checked: nothing was touched.
    case failed
    /// Stopped by the operator: tenants already updated keep the new image.
    case aborted

    /// A state no rollout leaves without an operator.
    public var isFinal: Bool { [.completed, .rolledBack, .failed, .aborted].contains(self) }
}

/// One tenant's part in a rollout.
public struct RolloutTenant: Sendable, Hashable {
    public var rolloutID: String
    public var tenantID: TenantID
    /// The tenant's place in the rollout's order; batch 0 is the canary.
    public var position: Int
    public var batch: Int
    public var state: RolloutTenantState
    /// The image the tenant ran before the update, to go back to.
    public var from: String?
    /// Why its update failed, or why it waits.
    public var error: String?
    public var updatedAt: Timestamp

    public init(
        rolloutID: String, tenantID: TenantID, position: Int, batch: Int, state: RolloutTenantState = .pending,
        from: String?, error: String? = nil, updatedAt: Timestamp
    ) {
        self.rolloutID = rolloutID
        self.tenantID = tenantID
        self.position = position
        self.batch = batch
        self.state = state
        self.from = from
        self.error = error
        self.updatedAt = updatedAt
    }
}

public enum RolloutTenantState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    /// Its node is replacing its agent and gating the new one.
    case updating
    case healthy
    /// Its update failed and it went back to its old image (`error` says why).
    case failed
    /// Its node is putting the old image back (a failure, or a halt of its batch).
    case rollingBack = "rolling_back"
    /// Back on its old image because its batch was halted.
    case rolledBack = "rolled_back"

    /// A state its node has nothing more to do in.
    public var isSettled: Bool { [.healthy, .failed, .rolledBack].contains(self) }
}

/// What a node found when it pulled and pinned a rollout's image.
public struct RolloutNode: Sendable, Hashable {
    public var rolloutID: String
    public var nodeID: String
    /// The image pinned on this node (a digest); nil when it failed.
    public var pinned: String?
    public var error: String?
    public var preparedAt: Timestamp

    public init(rolloutID: String, nodeID: String, pinned: String?, error: String?, preparedAt: Timestamp) {
        self.rolloutID = rolloutID
        self.nodeID = nodeID
        self.pinned = pinned
        self.error = error
        self.preparedAt = preparedAt
    }
}
