import Foundation
import TestSupport
import Testing
import ZCCore
import ZCCrypto
import ZCTOML

@testable import ZCPlatform

@Suite("Agent config rendering (ZeroClaw schema 3)")
struct AgentConfigRendererTests {
    struct Fixture {
        let directory: TemporaryDirectory
        let vault: Vault
        let id: TenantID
        var tenant: Tenant { Tenant(id: id, name: "Acme", plan: "default", createdAt: .now()) }

        init() throws {
            directory = try TemporaryDirectory("zc-render")
            _ = try VaultKeyFile.create(directory.file("vault.key"))
            vault = try Vault(keyFile: directory.file("vault.key"))
            id = try TenantID("acme")
        }

        /// An enabled channel with its secrets sealed where the store would keep them.
        func channel(
            _ id: Int64, _ kind: String, settings: [String: JSONValue] = [:], secrets: [String: String] = [:],
            enabled: Bool = true
        ) throws -> Channel {
            var channel = Channel(
                id: id, tenantID: self.id, kind: kind, name: "\(kind)-\(id)", settings: settings, enabled: enabled,
                createdAt: .now())
            for (field, value) in secrets {
                channel.secrets[field] = try vault.seal(
                    value, owner: SecretLocation.channelSecret(of: channel, field: field).owner)
            }
            return channel
        }

        func config(settings: [String: JSONValue] = [:]) throws -> TenantConfig {
            TenantConfig(
                tenantID: id, provider: "anthropic", model: "claude-x", settings: settings,
                apiKey: try vault.seal("sk-secret", owner: SecretLocation.tenantAPIKey(id).owner), updatedAt: .now())
        }
    }

    @Test("every kind, every secret field, allowed lists, pairings: schema 3, checked key by key against the fixture")
    func everyKind() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let channels = [
            try fixture.channel(
                1, "telegram", settings: ["allowed_users": ["123", " 456 "], "mention_only": true],
                secrets: ["bot_token": "tg-token"]),
            try fixture.channel(
                2, "discord", settings: ["guild_id": "999", "allowed_users": ["*"]], secrets: ["bot_token": "dc"]),
            try fixture.channel(
                3, "slack", settings: ["channel_id": "C1", "allowed_users": []],
                secrets: ["bot_token": "xoxb-1", "app_token": "xapp-1"]),
            try fixture.channel(
                4, "whatsapp", settings: ["phone_number_id": "555", "allowed_numbers": ["+15550001"]],
                secrets: ["access_token": "wa-a", "verify_token": "wa-v", "app_secret": "wa-s"]),
            try fixture.channel(
                5, "matrix", settings: ["homeserver": "https://m.example", "room_id": "!r:m.example"],
                secrets: ["password": "mx-pass"]),
            try fixture.channel(
                6, "email",
                settings: [
                    "imap_host": "imap.example", "smtp_host": "smtp.example", "username": "bot",
                    "from_address": "bot@example.com", "imap_port": 993, "allowed_senders": ["a@example.com"],
                ], secrets: ["password": "em-pass"]),
            try fixture.channel(7, "webhook", settings: ["port": 8081], secrets: ["secret": "hmac"]),
            try fixture.channel(8, "telegram", secrets: ["bot_token": "off"], enabled: false),
        ]
        let text = try AgentConfigRenderer.render(
            tenant: fixture.tenant, config: try fixture.config(settings: ["memory": ["backend": "sqlite"]]),
            channels: channels, vault: fixture.vault, gatewayPort: 42617, pairedTokens: ["hash-1", "hash-2"])
        let table = try TOML.decode(text)
        let schema = try ZeroClawSchema.load()
        #expect(schema.problems(in: table, free: ["memory"]) == [], "rendered:\n\(text)")
        // The check can fail: a first-schema file, an unknown field and a wrong type are each named.
        let wrong = try TOML.decode(
            "default_provider = \"x\"\n[channels.telegram.default]\nenabled = \"yes\"\nbot = 1\n")
        #expect(
            Set(schema.problems(in: wrong)) == [
                "default_provider: not a key of schema 3",
                "channels.telegram.default.enabled: string, the schema says boolean",
                "channels.telegram.default.bot: not a key of schema 3",
            ])

        #expect(table["schema_version"] == .integer(3))
        for key in ["api_key", "default_provider", "default_model", "channels_config"] {
            #expect(table[key] == nil, "no first-schema key \(key)")
        }
        #expect(table.value(atPath: ["providers", "models", "anthropic", "default", "api_key"]) == "sk-secret")
        #expect(table.value(atPath: ["providers", "models", "anthropic", "default", "model"]) == "claude-x")
        #expect(table.value(atPath: ["agents", "default", "model_provider"]) == "anthropic.default")
        #expect(table.value(atPath: ["agents", "default", "risk_profile"]) == "default")
        #expect(
            table.value(atPath: ["risk_profiles", "default"]) == .table(TOMLTable()), "the profile referenced exists")
        #expect(table.value(atPath: ["runtime_profiles", "default"]) == .table(TOMLTable()))
        #expect(
            table.value(atPath: ["agents", "default", "channels"])
                == .array(
                    ["discord", "email", "matrix", "slack", "telegram", "webhook", "whatsapp"].map {
                        .string("\($0).default")
                    }))
        for kind in ["telegram", "discord", "slack", "whatsapp", "matrix", "email", "webhook"] {
            #expect(table.value(atPath: ["channels", kind, "default", "enabled"]) == .boolean(true), "\(kind) enabled")
        }
        #expect(table.value(atPath: ["channels", "telegram", "default", "bot_token"]) == "tg-token", "the enabled one")
        #expect(table.value(atPath: ["channels", "slack", "default", "bot_token"]) == "xoxb-1")
        #expect(table.value(atPath: ["channels", "slack", "default", "app_token"]) == "xapp-1")
        #expect(table.value(atPath: ["channels", "whatsapp", "default", "verify_token"]) == "wa-v")
        #expect(table.value(atPath: ["channels", "whatsapp", "default", "app_secret"]) == "wa-s")
        #expect(table.value(atPath: ["channels", "matrix", "default", "password"]) == "mx-pass")
        #expect(table.value(atPath: ["channels", "discord", "default", "guild_ids"]) == .array(["999"]))
        #expect(table.value(atPath: ["channels", "slack", "default", "channel_ids"]) == .array(["C1"]))
        #expect(table.value(atPath: ["channels", "slack", "default", "channel_id"]) == nil, "schema 3 has a list")
        #expect(table.value(atPath: ["channels", "matrix", "default", "allowed_rooms"]) == .array(["!r:m.example"]))
        #expect(table.value(atPath: ["channels", "matrix", "default", "room_id"]) == nil, "schema 3 has a list")
        #expect(table.value(atPath: ["channels", "telegram", "default", "allowed_users"]) == nil, "a peer group now")
        #expect(
            table.value(atPath: ["peer_groups", "telegram_default"])
                == .table([
                    "channel": "telegram", "agents": .array(["default"]), "external_peers": .array(["123", "456"]),
                ]))
        #expect(
            table.value(atPath: ["peer_groups", "whatsapp_default", "external_peers"]) == .array(["+15550001"]))
        #expect(table.value(atPath: ["peer_groups", "email_default", "channel"]) == "email")
        #expect(table.value(atPath: ["peer_groups", "discord_default"]) == nil, "[\"*\"] makes no group")
        #expect(table.value(atPath: ["peer_groups", "slack_default"]) == nil, "[] makes no group")
        #expect(table.value(atPath: ["gateway", "paired_tokens"]) == .array(["hash-1", "hash-2"]))
        #expect(table.value(atPath: ["gateway", "port"]) == .integer(42617))
        #expect(table.value(atPath: ["observability", "backend"]) == "prometheus")
        #expect(table.value(atPath: ["memory", "backend"]) == "sqlite", "free settings pass through")
    }

    @Test("no channel, no provider: a minimal schema-3 file the fixture accepts")
    func minimal() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let table = try TOML.decode(
            try AgentConfigRenderer.render(
                tenant: fixture.tenant, config: nil, channels: [], vault: fixture.vault, gatewayPort: 42617))
        #expect(try ZeroClawSchema.load().problems(in: table) == [])
        #expect(table.value(atPath: ["agents", "default", "model_provider"]) == "openrouter.default")
        #expect(table.value(atPath: ["agents", "default", "channels"]) == .array([]))
        #expect(table["channels"] == nil && table["peer_groups"] == nil)
        #expect(table.value(atPath: ["gateway", "paired_tokens"]) == nil)
    }

    @Test(
        "free settings: any key renders and reads back; the tenant's profiles are kept; reserved and first-schema keys and nulls are refused"
    )
    func settings() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let settings: [String: JSONValue] = [
            "": "empty key", "ü \u{1}\"quoted\"": 1.5, "memory": ["backend": "sqlite", "auto_save": true],
            "runtime_profiles": ["default": ["temperature": 0.2, "max_tool_iterations": 12]],
        ]
        try AgentConfigRenderer.validateSettings(settings)
        let table = try TOML.decode(
            try AgentConfigRenderer.render(
                tenant: fixture.tenant, config: try fixture.config(settings: settings), channels: [],
                vault: fixture.vault, gatewayPort: 42617))
        #expect(table[""] == "empty key")
        #expect(table["ü \u{1}\"quoted\""] == .float(1.5))
        #expect(table.value(atPath: ["runtime_profiles", "default", "max_tool_iterations"]) == .integer(12))
        #expect(table.value(atPath: ["risk_profiles", "default"]) == .table(TOMLTable()))
        for key in [
            "schema_version", "providers", "agents", "channels", "peer_groups", "gateway", "observability",
            "api_key", "default_provider", "default_model", "channels_config", "model_providers", "autonomy", "agent",
        ] {
            #expect(throws: ValidationError.self, "\(key)") {
                try AgentConfigRenderer.validateSettings([key: ["x": 1]])
            }
        }
        #expect(throws: ValidationError.self) { try AgentConfigRenderer.validateSettings(["a": ["b": [nil]]]) }
    }

    @Test(
        "two enabled channels of one kind, or a kind the image lacks, cannot be rendered; a stale setting is left out")
    func refusals() throws {
        let fixture = try Fixture()
        defer { fixture.directory.remove() }
        let twice = [try fixture.channel(1, "webhook"), try fixture.channel(2, "webhook")]
        #expect(throws: AgentConfigRenderer.RenderError.self) {
            _ = try AgentConfigRenderer.render(
                tenant: fixture.tenant, config: nil, channels: twice, vault: fixture.vault, gatewayPort: 42617)
        }
        let official = try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:latest")
        let slack = [try fixture.channel(3, "slack", secrets: ["bot_token": "a", "app_token": "b"])]
        #expect(throws: AgentConfigRenderer.RenderError.self) {
            _ = try AgentConfigRenderer.render(
                tenant: fixture.tenant, config: nil, channels: slack, vault: fixture.vault, gatewayPort: 42617,
                agentChannels: official)
        }
        let stale = [try fixture.channel(4, "webhook", settings: ["path": "/hook", "port": 9000])]
        let table = try TOML.decode(
            try AgentConfigRenderer.render(
                tenant: fixture.tenant, config: nil, channels: stale, vault: fixture.vault, gatewayPort: 42617))
        #expect(table.value(atPath: ["channels", "webhook", "default", "path"]) == nil)
        #expect(table.value(atPath: ["channels", "webhook", "default", "port"]) == .integer(9000))
        // A single id written as a number (Discord's are), or one given as a list under the old name: the
        // schema-3 list, never the old key.
        let singular = [
            try fixture.channel(5, "discord", settings: ["guild_id": 123_456_789], secrets: ["bot_token": "d"]),
            try fixture.channel(
                6, "matrix", settings: ["homeserver": "https://m", "room_id": ["!a", "!b"]],
                secrets: ["password": "p"]),
            try fixture.channel(
                7, "slack", settings: ["channel_ids": [123, "C2"]], secrets: ["bot_token": "b", "app_token": "a"]),
        ]
        let lists = try TOML.decode(
            try AgentConfigRenderer.render(
                tenant: fixture.tenant, config: nil, channels: singular, vault: fixture.vault, gatewayPort: 42617))
        #expect(lists.value(atPath: ["channels", "discord", "default", "guild_ids"]) == .array(["123456789"]))
        #expect(lists.value(atPath: ["channels", "discord", "default", "guild_id"]) == nil)
        #expect(lists.value(atPath: ["channels", "matrix", "default", "allowed_rooms"]) == .array(["!a", "!b"]))
        #expect(lists.value(atPath: ["channels", "matrix", "default", "room_id"]) == nil)
        // A list under its own name, with a number in it: the number as the string schema 3 holds.
        #expect(lists.value(atPath: ["channels", "slack", "default", "channel_ids"]) == .array(["123", "C2"]))
        #expect(try ZeroClawSchema.load().problems(in: lists) == [])
    }

    @Test("the agent's environment: only config paths of schema 3, by ZeroClaw's naming; anything else refused")
    func environment() throws {
        let schema = try ZeroClawSchema.load()
        for path in AgentEnvironment.overridePaths + AgentEnvironment.specPaths {
            #expect(schema.type(of: path.split(separator: ".").map(String.init)) != nil, "\(path) is a config path")
        }
        #expect(AgentEnvironment.name(of: "gateway.allow_public_bind") == "ZEROCLAW_gateway__allow_public_bind")
        #expect(
            AgentEnvironment.gateway(host: "0.0.0.0", port: 42617, publicBind: true) == [
                "ZEROCLAW_gateway__host": "0.0.0.0", "ZEROCLAW_gateway__port": "42617",
                "ZEROCLAW_gateway__allow_public_bind": "true",
            ])
        try AgentEnvironment.check(AgentEnvironment.gateway(host: "127.0.0.1", port: 1, publicBind: true))
        try AgentEnvironment.check(["ZEROCLAW_API_KEY": "upper case is not a path", "HOME": "/x"])
        #expect(throws: ContainerRuntimeError.self) { try AgentEnvironment.check(["ZEROCLAW_memory__backend": "x"]) }
        #expect(throws: ContainerRuntimeError.self) { try AgentEnvironment.check(["ZEROCLAW_gateway__Port": "1"]) }
    }

    @Test("pairings read back from the agent's file: bounded, odd entries dropped, a broken file gives none")
    func pairings() {
        let good = "[gateway]\nport = 1\npaired_tokens = [\"abc\", \"abc\", \"def\", \"has space\", \"\", 7]\n"
        #expect(AgentPairings.tokens(in: Array(good.utf8)) == ["abc", "def"])
        #expect(AgentPairings.tokens(in: Array("not = [toml".utf8)) == [])
        #expect(AgentPairings.tokens(in: Array("[gateway]\npaired_tokens = \"x\"\n".utf8)) == [])
        let many = (0..<5000).map { "\"t\($0)\"" }.joined(separator: ",")
        let long = String(repeating: "x", count: 600)
        let bounded = AgentPairings.tokens(in: Array("[gateway]\npaired_tokens = [\"\(long)\",\(many)]\n".utf8))
        #expect(bounded.count == AgentPairings.maxTokens - 1, "the long one dropped, the list cut at the bound")
        // What a hostile agent could write into its 1 MiB: deep nesting, a huge array, a long key path.
        for hostile in [
            "[gateway]\npaired_tokens = " + String(repeating: "[", count: 1 << 20 - 40),
            "[gateway]\npaired_tokens = [" + String(repeating: "\"a\",", count: 200_000) + "]\n",
            "[" + String(repeating: "a.", count: 300_000) + "b]\n",
        ] {
            #expect(AgentPairings.tokens(in: Array(hostile.utf8)).count <= AgentPairings.maxTokens)
        }
    }

    @Test("the image's channels: the official image by its tag, any other image all, or the operator's list")
    func imageChannels() throws {
        let latest = try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:latest")
        #expect(latest.offers("telegram") && latest.offers("discord") && latest.offers("email"))
        #expect(!latest.offers("slack") && !latest.offers("whatsapp"))
        #expect(throws: ValidationError.self) { try latest.require("slack") }
        let untagged = try AgentChannels.parse("", image: "ghcr.io/zeroclaw-labs/zeroclaw")
        #expect(!untagged.offers("slack"))
        let pinned = try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw@sha256:abc")
        #expect(!pinned.offers("whatsapp"))
        #expect(try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:all-features").offers("slack"))
        let fullPinned = try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:all-features-v0.8.3")
        #expect(fullPinned.offers("slack") && fullPinned.offers("whatsapp") && fullPinned.offers("matrix"))
        for tag in ["dist", "dist-v0.8.3"] {
            let dist = try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:\(tag)")
            #expect(dist.offers("matrix") && dist.offers("discord"), "\(tag)")
            #expect(!dist.offers("slack") && !dist.offers("whatsapp"), "\(tag)")
        }
        let minimal = try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:minimal-v0.8.3")
        #expect(ChannelKind.all.allSatisfy { !minimal.offers($0.name) }, "the minimal build has no channel")
        let defaults = try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:default-features-v0.8.3")
        #expect(defaults.offers("discord") && !defaults.offers("matrix") && !defaults.offers("slack"))
        #expect(!(try AgentChannels.parse("auto", image: "ghcr.io/zeroclaw-labs/zeroclaw:v0.8.3").offers("matrix")))
        #expect(try AgentChannels.parse("auto", image: "registry.example:5000/zeroclaw:latest").offers("slack"))
        #expect(try AgentChannels.parse("auto", image: nil).offers("whatsapp"), "the process runtime")
        #expect(try AgentChannels.parse("all", image: "ghcr.io/zeroclaw-labs/zeroclaw").offers("slack"))
        let listed = try AgentChannels.parse(" Telegram, slack ", image: "ghcr.io/zeroclaw-labs/zeroclaw")
        #expect(listed.offers("slack") && listed.offers("telegram") && !listed.offers("discord"))
        #expect(throws: ConfigurationError.self) { try AgentChannels.parse("telegram,sms", image: nil) }
    }
}
