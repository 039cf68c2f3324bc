/// The channel kinds ZeroClaw agents speak, with the non-secret settings each accepts and whether it
/// needs a secret (its bot token, access token or password).
public struct ChannelKind: Sendable, Hashable {
    public let name: String
    public let settings: Set<String>
    public let requiresSecret: Bool

    public static let all: [ChannelKind] = [
        ChannelKind(name: "telegram", settings: ["allowed_users", "mention_only"], requiresSecret: true),
        ChannelKind(name: "discord", settings: ["guild_id", "allowed_users", "mention_only"], requiresSecret: true),
        ChannelKind(name: "slack", settings: ["channel_id", "allowed_users"], requiresSecret: true),
        ChannelKind(name: "whatsapp", settings: ["phone_number_id", "allowed_numbers"], requiresSecret: true),
        ChannelKind(name: "matrix", settings: ["homeserver", "room_id", "allowed_users"], requiresSecret: true),
        ChannelKind(
            name: "email", settings: ["imap_host", "smtp_host", "username", "allowed_senders"], requiresSecret: true),
        ChannelKind(name: "webhook", settings: ["path"], requiresSecret: false),
    ]

    public static func named(_ name: String) -> ChannelKind? { all.first { $0.name == name } }

    /// Checks settings against this kind: known keys only, strings, booleans, numbers or lists of strings.
    public func validate(_ values: [String: JSONValue]) throws(ValidationError) {
        for (key, value) in values {
            guard settings.contains(key) else {
                throw ValidationError(
                    field: "settings.\(key)",
                    "is not a setting of \(name) channels (known: \(settings.sorted().joined(separator: ", ")))")
            }
            switch value {
            case .string(let text) where text.unicodeScalars.count <= 1000: continue
            case .bool, .number: continue
            case .array(let items)
            where items.count <= 1000 && items.allSatisfy({ if case .string = $0 { true } else { false } }):
                continue
            default:
                throw ValidationError(
                    field: "settings.\(key)", "must be a string, a number, true/false or a list of strings")
            }
        }
    }

    /// Channel names: 1 to 64 characters of a-z, 0-9, `-` and `_`.
    public static func validateName(_ name: String) throws(ValidationError) {
        guard (1...64).contains(name.utf8.count),
            name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 })
        else { throw ValidationError(field: "name", "must be 1 to 64 characters of a-z, 0-9, '-' and '_'") }
    }
}
