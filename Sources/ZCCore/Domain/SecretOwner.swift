/// Where a sealed secret lives, and the owner string the vault binds it to. The same location always
/// gives the same owner, so a ciphertext opens only in the row it was sealed for.
public enum SecretLocation: Sendable, Hashable, CustomStringConvertible {
    /// A channel's token, by the channel's row id; bound to its tenant and channel name.
    case channel(id: Int64, tenantID: TenantID, name: String)
    /// A tenant's model-provider API key.
    case tenantAPIKey(TenantID)

    /// The associated data the vault authenticates.
    public var owner: String {
        switch self {
        case .channel(_, let tenantID, let name): "tenant:\(tenantID.rawValue)/channel:\(name)/secret"
        case .tenantAPIKey(let tenantID): "tenant:\(tenantID.rawValue)/config/api_key"
        }
    }

    public var description: String { owner }
}

/// A sealed secret as the store holds it, with its location.
public struct StoredSecret: Sendable, Hashable {
    public var location: SecretLocation
    public var sealed: SealedSecret

    public init(location: SecretLocation, sealed: SealedSecret) {
        self.location = location
        self.sealed = sealed
    }
}
