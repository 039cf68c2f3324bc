import ZCCore

/// The JSON shapes the API answers with. Secrets never appear in them: a secret field reads back
/// only as whether it is set.

struct UserView: Encodable {
    let id: Int64
    let email: String
    let isSuperAdmin: Bool
    let isDisabled: Bool
    let createdAt: Timestamp
    let lastLoginAt: Timestamp?

    init(_ user: User) {
        id = user.id
        email = user.email
        isSuperAdmin = user.isSuperAdmin
        isDisabled = user.isDisabled
        createdAt = user.createdAt
        lastLoginAt = user.lastLoginAt
    }
}

struct SessionView: Encodable {
    let token: String
    let expiresAt: Timestamp
    let user: UserView
}

struct MembershipView: Encodable {
    let tenantId: String
    let role: String
}

struct MeView: Encodable {
    let user: UserView
    let memberships: [MembershipView]
    /// Present when the console's cookie authenticated the request: what its writes must carry.
    let csrfToken: String?
}

/// `GET /api/auth/session`: whether the console's cookie is signed in, and as whom.
struct ConsoleSessionState: Encodable {
    let signedIn: Bool
    let me: MeView?

    enum CodingKeys: String, CodingKey {
        case signedIn, user, memberships, csrfToken
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(signedIn, forKey: .signedIn)
        if let me {
            try container.encode(me.user, forKey: .user)
            try container.encode(me.memberships, forKey: .memberships)
            try container.encodeIfPresent(me.csrfToken, forKey: .csrfToken)
        }
    }
}

/// `POST /api/auth/session`: the session itself is in the cookie, never here.
struct ConsoleSessionView: Encodable {
    let csrfToken: String
    let expiresAt: Timestamp
    let user: UserView
}

struct TokenView: Encodable {
    let id: Int64
    let kind: String
    let name: String?
    let createdAt: Timestamp
    let expiresAt: Timestamp
    let lastUsedAt: Timestamp?
    let revokedAt: Timestamp?
    let scope: String?

    init(_ token: AccessToken) {
        scope = token.scope?.rawValue
        id = token.id
        kind = token.kind.rawValue
        name = token.name
        createdAt = token.createdAt
        expiresAt = token.expiresAt
        lastUsedAt = token.lastUsedAt
        revokedAt = token.revokedAt
    }
}

struct CreatedTokenView: Encodable {
    /// Shown once; only its hash is kept.
    let token: String
    let details: TokenView
}

struct TenantView: Encodable {
    let id: String
    let name: String
    let plan: String
    let status: String
    let errorMessage: String?
    let nodeId: String?
    let movingTo: String?
    let hostPort: Int?
    let containerId: String?
    let createdAt: Timestamp
    let updatedAt: Timestamp
    let startedAt: Timestamp?
    /// The agent image it runs, pinned by its node; nil until its first deploy records it.
    let image: String?
    let imagePinned: Bool
    /// What `GET /api/tenants/{id}` adds; nil (left out) in the other answers.
    let detail: Detail?

    /// What the caller may do and how the agent is, on `GET /api/tenants/{id}`.
    struct Detail {
        /// What the caller may ask of the tenant now (`TenantCapability`).
        let actions: [TenantCapability]
        /// The health checker's last probe on the tenant's node (the read is answered there); null before
        /// the first.
        let health: HealthBoard.TenantHealth?
        /// Set while the agent's `/metrics` gives nothing to meter; null otherwise.
        let unmetered: HealthBoard.Unmetered?
    }

    init(_ tenant: Tenant, detail: Detail? = nil) {
        self.detail = detail
        id = tenant.id.rawValue
        name = tenant.name
        plan = tenant.plan
        status = tenant.movingTo == nil ? tenant.status.rawValue : "moving"
        errorMessage = tenant.errorMessage
        nodeId = tenant.nodeID
        movingTo = tenant.movingTo
        hostPort = tenant.hostPort
        containerId = tenant.containerID
        createdAt = tenant.createdAt
        updatedAt = tenant.updatedAt
        startedAt = tenant.startedAt
        image = tenant.image
        imagePinned = tenant.imagePinned
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(image, forKey: .image)
        try container.encode(imagePinned, forKey: .imagePinned)
        try container.encode(name, forKey: .name)
        try container.encode(plan, forKey: .plan)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(errorMessage, forKey: .errorMessage)
        try container.encodeIfPresent(nodeId, forKey: .nodeId)
        try container.encodeIfPresent(movingTo, forKey: .movingTo)
        try container.encodeIfPresent(hostPort, forKey: .hostPort)
        try container.encodeIfPresent(containerId, forKey: .containerId)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encodeIfPresent(startedAt, forKey: .startedAt)
        guard let detail else { return }
        try container.encode(detail.actions.map(\.rawValue), forKey: .actions)
        try container.encode(detail.health.map(MonitoringController.ProbeView.init), forKey: .health)
        try container.encode(detail.unmetered.map(MonitoringController.UnmeteredView.init), forKey: .unmetered)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, plan, status, errorMessage, nodeId, movingTo, hostPort, containerId, createdAt, updatedAt
        case startedAt, actions, health, unmetered, image, imagePinned
    }
}

struct TenantStatusView: Encodable {
    let status: String
    /// Seconds since the agent entered `running`; null when not running.
    let uptime: Int64?
    let port: Int?
    let errorMessage: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(uptime, forKey: .uptime)
        try container.encode(port, forKey: .port)
        try container.encode(errorMessage, forKey: .errorMessage)
    }

    enum CodingKeys: String, CodingKey {
        case status, uptime, port, errorMessage
    }
}

struct MemberView: Encodable {
    let userId: Int64
    let email: String
    let role: String
    let createdAt: Timestamp

    init(_ member: TenantMember) {
        userId = member.userID
        email = member.email
        role = member.role.rawValue
        createdAt = member.createdAt
    }
}

struct ChannelView: Encodable {
    let id: Int64
    let kind: String
    let name: String
    let settings: [String: JSONValue]
    /// Whether a secret is stored (any field); the secrets themselves are never returned.
    let secretSet: Bool
    /// The secret fields that hold a value, sorted (`["app_token", "bot_token"]`).
    let secretsSet: [String]
    let enabled: Bool
    let createdAt: Timestamp
    let updatedAt: Timestamp

    init(_ channel: Channel) {
        id = channel.id
        kind = channel.kind
        name = channel.name
        settings = channel.settings
        secretSet = !channel.secrets.isEmpty
        secretsSet = channel.secrets.keys.sorted()
        enabled = channel.enabled
        createdAt = channel.createdAt
        updatedAt = channel.updatedAt
    }
}

struct ConfigView: Encodable {
    let provider: String?
    let model: String?
    let settings: [String: JSONValue]
    /// Whether an API key is stored; the key itself is never returned.
    let apiKeySet: Bool
    let updatedAt: Timestamp?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(provider, forKey: .provider)
        try container.encode(model, forKey: .model)
        try container.encode(settings, forKey: .settings)
        try container.encode(apiKeySet, forKey: .apiKeySet)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case provider, model, settings, apiKeySet, updatedAt
    }
}

struct AuditEventView: Encodable {
    let id: Int64
    let at: Timestamp
    let actor: String
    let action: String
    let tenantId: String?
    let target: String?
    let clientIp: String?
    let detail: [String: JSONValue]

    init(_ event: AuditEvent) {
        id = event.id
        at = event.at
        actor = event.actor
        action = event.action
        tenantId = event.tenantID
        target = event.target
        clientIp = event.clientIP
        detail = event.detail
    }
}

struct AuditPageView: Encodable {
    let events: [AuditEventView]
    let nextCursor: Int64?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(events, forKey: .events)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey {
        case events, nextCursor
    }
}

/// `POST /exec`'s answer: `{"output": "…", "exit_code": 0}`, with `timed_out` and `truncated`.
struct ExecView: Encodable {
    let output: String
    let exitCode: Int
    let timedOut: Bool
    let truncated: Bool

    init(_ result: ExecResult) {
        output = result.output
        exitCode = result.exitCode
        timedOut = result.timedOut
        truncated = result.truncated
    }
}
