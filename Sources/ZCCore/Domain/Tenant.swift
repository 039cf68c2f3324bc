/// One customer and its agent: the record the platform turns into a running, isolated container.
public struct Tenant: Sendable, Hashable, Codable {
    public var id: TenantID
    public var name: String
    public var plan: String
    public var status: TenantStatus
    /// Why the last deploy or health check failed: the failing step and its cause.
    public var errorMessage: String?
    /// The node that runs the tenant's agent (several nodes share one PostgreSQL store).
    public var nodeID: String?
    /// The loopback port the agent's gateway is published on.
    public var hostPort: Int?
    /// The uid the agent runs as, unique per tenant.
    public var uid: Int?
    public var containerID: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// When the agent last entered `running`; nil when it is not running.
    public var startedAt: Timestamp?
    /// Grows by one each time the tenant changes node. A write about the tenant succeeds only while the
    /// row still holds the epoch it was read with: a node that lost the tenant learns it at its next write.
    public var placementEpoch: Int64
    /// The node the tenant is being moved to; nil when it is not moving.
    public var movingTo: String?
    /// The agent image the tenant runs, pinned by its node (a digest, or the process runtime's command
    /// with its executable's digest); nil for a tenant recorded before images were (the fleet default).
    public var image: String?
    /// A rollout passes a pinned tenant by.
    public var imagePinned: Bool

    public init(
        id: TenantID, name: String, plan: String, status: TenantStatus = .draft, errorMessage: String? = nil,
        nodeID: String? = nil, hostPort: Int? = nil, uid: Int? = nil, containerID: String? = nil,
        createdAt: Timestamp, updatedAt: Timestamp? = nil, startedAt: Timestamp? = nil, placementEpoch: Int64 = 0,
        movingTo: String? = nil, image: String? = nil, imagePinned: Bool = false
    ) {
        self.image = image
        self.imagePinned = imagePinned
        self.placementEpoch = placementEpoch
        self.movingTo = movingTo
        self.id = id
        self.name = name
        self.plan = plan
        self.status = status
        self.errorMessage = errorMessage
        self.nodeID = nodeID
        self.hostPort = hostPort
        self.uid = uid
        self.containerID = containerID
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.startedAt = startedAt
    }

    /// Seconds since the agent entered `running`, or nil when it is not running.
    public func uptime(at now: Timestamp) -> Int64? {
        guard status == .running, let startedAt else { return nil }
        return max(0, now.seconds - startedAt.seconds)
    }

    /// Validates a display name: 1 to 200 characters, no control characters.
    public static func validateName(_ name: String) throws(ValidationError) {
        // Counted in Unicode scalars, as JSON Schema's maxLength counts.
        guard !name.isEmpty, name.unicodeScalars.count <= 200 else {
            throw ValidationError(field: "name", "must be 1 to 200 characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ValidationError(field: "name", "must not contain control characters")
        }
    }
}
