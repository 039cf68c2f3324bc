/// The channel kinds ZeroClaw agents speak: the non-secret settings each accepts, its secret fields
/// (sealed one by one in the vault, write-only in the API), which of them a working channel needs, and
/// the setting that lists who may talk to it (rendered as the agent's peer group). Field names are the
/// agent's own (`[channels.KIND.NAME]` of its config schema 3); see `Docs/OPERATIONS.md`, "Channels".
public struct ChannelKind: Sendable, Hashable {
    public let name: String
    /// Non-secret settings, written into the channel's table as given.
    public let settings: Set<String>
    /// Secret fields, the one a single `secret` means first.
    public let secrets: [String]
    /// Secrets an enabled channel must have.
    public let requiredSecrets: Set<String>
    /// Groups of secrets of which an enabled channel must have at least one (Matrix: a token or a password).
    public let oneOfSecrets: [Set<String>]
    /// Settings an enabled channel must have.
    public let requiredSettings: Set<String>
    /// The setting listing who may talk to the agent here (users, numbers, senders): rendered as a peer
    /// group, not as a channel field.
    public let peerSetting: String?
    /// Settings of one value that the agent's schema 3 takes as a list under another name (Discord's
    /// `guild_id` is `guild_ids`, Slack's `channel_id` is `channel_ids`, Matrix's `room_id` is
    /// `allowed_rooms`): accepted, as operators write them from older guides, and rendered as a list of one.
    public let singularSettings: [String: String]

    public init(
        name: String, settings: Set<String>, secrets: [String], requiredSecrets: Set<String>,
        oneOfSecrets: [Set<String>] = [], requiredSettings: Set<String> = [], peerSetting: String?,
        singularSettings: [String: String] = [:]
    ) {
        self.name = name
        self.settings = settings
        self.secrets = secrets
        self.requiredSecrets = requiredSecrets
        self.oneOfSecrets = oneOfSecrets
        self.requiredSettings = requiredSettings
        self.peerSetting = peerSetting
        self.singularSettings = singularSettings
    }

    public static let all: [ChannelKind] = [
        ChannelKind(
            name: "telegram", settings: ["allowed_users", "mention_only", "ack_reactions", "proxy_url"],
            secrets: ["bot_token"], requiredSecrets: ["bot_token"], peerSetting: "allowed_users"),
        ChannelKind(
            name: "discord",
            settings: [
                "guild_id", "guild_ids", "allowed_users", "mention_only", "interrupt_on_new_message", "proxy_url",
            ],
            secrets: ["bot_token"], requiredSecrets: ["bot_token"], peerSetting: "allowed_users",
            singularSettings: ["guild_id": "guild_ids"]),
        ChannelKind(
            name: "slack",
            settings: [
                "channel_id", "channel_ids", "allowed_users", "mention_only", "thread_replies", "cancel_reaction",
                "proxy_url",
            ],
            secrets: ["bot_token", "app_token"], requiredSecrets: ["bot_token", "app_token"],
            peerSetting: "allowed_users", singularSettings: ["channel_id": "channel_ids"]),
        ChannelKind(
            name: "whatsapp", settings: ["phone_number_id", "allowed_numbers"],
            secrets: ["access_token", "verify_token", "app_secret"],
            requiredSecrets: ["access_token", "verify_token", "app_secret"], requiredSettings: ["phone_number_id"],
            peerSetting: "allowed_numbers"),
        ChannelKind(
            name: "matrix",
            settings: [
                "homeserver", "user_id", "device_id", "room_id", "allowed_rooms", "allowed_users",
                "interrupt_on_new_message", "reply_in_thread",
            ],
            secrets: ["access_token", "password", "recovery_key"], requiredSecrets: [],
            oneOfSecrets: [["access_token", "password"]], requiredSettings: ["homeserver"],
            peerSetting: "allowed_users", singularSettings: ["room_id": "allowed_rooms"]),
        ChannelKind(
            name: "email",
            settings: [
                "imap_host", "imap_port", "imap_folder", "smtp_host", "smtp_port", "smtp_tls", "username",
                "from_address", "allowed_senders",
            ],
            // `smtp_password` when the SMTP login differs from the IMAP one.
            secrets: ["password", "smtp_password"], requiredSecrets: ["password"],
            requiredSettings: ["imap_host", "smtp_host", "username", "from_address"], peerSetting: "allowed_senders"),
        ChannelKind(
            // The agent does not start the channel without `secret` (it checks each request's HMAC-SHA256).
            name: "webhook", settings: ["port", "listen_path", "send_url", "send_method"],
            secrets: ["secret", "auth_header"], requiredSecrets: ["secret"], peerSetting: nil),
    ]

    public static func named(_ name: String) -> ChannelKind? { all.first { $0.name == name } }

    /// The field a lone `secret` (the API's first form) sets.
    public var primarySecretField: String { secrets.first ?? "secret" }

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

    /// Checks a secret field's name against this kind.
    public func validateSecretField(_ field: String) throws(ValidationError) {
        guard secrets.contains(field) else {
            throw ValidationError(
                field: "secrets.\(field)",
                "is not a secret of \(name) channels (known: \(secrets.joined(separator: ", ")))")
        }
    }

    /// What an enabled channel needs to connect: refused when it is enabled, rather than failing inside
    /// the agent. `secrets` are the fields that hold a secret.
    public func validateComplete(
        settings values: [String: JSONValue], secrets present: Set<String>
    )
        throws(ValidationError)
    {
        for field in requiredSecrets.sorted() where !present.contains(field) {
            throw ValidationError(field: "secrets.\(field)", "is required for \(name) channels")
        }
        for group in oneOfSecrets where group.isDisjoint(with: present) {
            throw ValidationError(
                field: "secrets", "\(name) channels need one of \(group.sorted().joined(separator: " or "))")
        }
        for key in requiredSettings.sorted() {
            switch values[key] {
            case .string(let text)? where !text.isEmpty: continue
            case nil, .string?: throw ValidationError(field: "settings.\(key)", "is required for \(name) channels")
            default: continue
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
