/// Where a sealed secret lives, and the owner string the vault binds it to. The same location always
/// gives the same owner, so a ciphertext opens only in the row it was sealed for.
public enum SecretLocation: Sendable, Hashable, CustomStringConvertible {
    /// One secret field of a channel (its `bot_token`, `app_token`, …), by the channel's row id; bound to
    /// its tenant, channel name and field.
    case channel(id: Int64, tenantID: TenantID, name: String, kind: String, field: String)
    /// A tenant's model-provider API key.
    case tenantAPIKey(TenantID)

    /// The associated data the vault authenticates.
    public var owner: String {
        switch self {
        case .channel(_, let tenantID, let name, let kind, let field):
            // The field a kind kept its one secret in before secrets were per field keeps the owner it was
            // sealed with, so a migrated ciphertext still opens.
            field == Self.legacySecretField(of: kind)
                ? "tenant:\(tenantID.rawValue)/channel:\(name)/secret"
                : "tenant:\(tenantID.rawValue)/channel:\(name)/secret/\(field)"
        case .tenantAPIKey(let tenantID): "tenant:\(tenantID.rawValue)/config/api_key"
        }
    }

    public var description: String { owner }

    /// Where the secret `field` of `channel` lives (by default the field its kind's lone secret used).
    public static func channelSecret(of channel: Channel, field: String? = nil) -> SecretLocation {
        .channel(
            id: channel.id, tenantID: channel.tenantID, name: channel.name, kind: channel.kind,
            field: field ?? legacySecretField(of: channel.kind))
    }

    /// Where each kind kept its single secret before migration 11 (the same CASE as that migration).
    public static func legacySecretField(of kind: String) -> String {
        switch kind {
        case "telegram", "discord", "slack": "bot_token"
        case "whatsapp", "matrix": "access_token"
        case "email": "password"
        default: "secret"
        }
    }
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
