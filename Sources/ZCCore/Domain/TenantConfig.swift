/// A tenant's agent configuration: the model provider, the model, agent settings, and the provider's
/// API key, which is sealed and never read back through the API.
public struct TenantConfig: Sendable, Hashable {
    public var tenantID: TenantID
    /// The model provider as ZeroClaw names it (`openrouter`, `anthropic`, `openai`, …).
    public var provider: String?
    public var model: String?
    /// Further agent settings rendered into the agent's `config.toml`; never secrets.
    public var settings: [String: JSONValue]
    public var apiKey: SealedSecret?
    public var updatedAt: Timestamp

    public init(
        tenantID: TenantID, provider: String? = nil, model: String? = nil, settings: [String: JSONValue] = [:],
        apiKey: SealedSecret? = nil, updatedAt: Timestamp
    ) {
        self.tenantID = tenantID
        self.provider = provider
        self.model = model
        self.settings = settings
        self.apiKey = apiKey
        self.updatedAt = updatedAt
    }
}
