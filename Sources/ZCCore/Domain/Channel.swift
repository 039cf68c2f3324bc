/// A messaging channel of a tenant's agent (Telegram, Discord, Slack, …).
///
/// Non-secret settings are plain JSON; its secrets (a bot token, Slack's app token, WhatsApp's verify
/// token and app secret, …) are sealed one per field, written but never read back through the API.
public struct Channel: Sendable, Hashable {
    public var id: Int64
    public var tenantID: TenantID
    /// The channel kind as ZeroClaw names it (`telegram`, `discord`, `slack`, …).
    public var kind: String
    /// Unique within the tenant.
    public var name: String
    public var settings: [String: JSONValue]
    /// Sealed secrets by field name (`bot_token`, `app_token`, …), each bound to its location.
    public var secrets: [String: SealedSecret]
    public var enabled: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: Int64, tenantID: TenantID, kind: String, name: String, settings: [String: JSONValue] = [:],
        secrets: [String: SealedSecret] = [:], enabled: Bool = true, createdAt: Timestamp,
        updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.kind = kind
        self.name = name
        self.settings = settings
        self.secrets = secrets
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }
}

/// A channel to be created; the store assigns the id.
public struct NewChannel: Sendable, Hashable {
    public var tenantID: TenantID
    public var kind: String
    public var name: String
    public var settings: [String: JSONValue]
    public var secrets: [String: SealedSecret]
    public var enabled: Bool
    public var createdAt: Timestamp

    public init(
        tenantID: TenantID, kind: String, name: String, settings: [String: JSONValue] = [:],
        secrets: [String: SealedSecret] = [:], enabled: Bool = true, createdAt: Timestamp
    ) {
        self.tenantID = tenantID
        self.kind = kind
        self.name = name
        self.settings = settings
        self.secrets = secrets
        self.enabled = enabled
        self.createdAt = createdAt
    }
}
