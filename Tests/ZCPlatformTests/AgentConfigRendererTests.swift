import Foundation
import TestSupport
import Testing
import ZCCore
import ZCCrypto
import ZCTOML

@testable import ZCPlatform

@Suite("Agent config rendering")
struct AgentConfigRendererTests {
    @Test("settings of any key render as TOML that reads back the same; reserved keys and nulls are refused")
    func settings() throws {
        let directory = try TemporaryDirectory("zc-render")
        defer { directory.remove() }
        _ = try VaultKeyFile.create(directory.file("vault.key"))
        let vault = try Vault(keyFile: directory.file("vault.key"))
        let id = try TenantID("acme")
        let settings: [String: JSONValue] = [
            "agent": ["max_tool_iterations": 12, "names": ["a", "b"]], "": "empty key", "ü \u{1}\"quoted\"": 1.5,
            "memory": ["backend": "sqlite", "auto_save": true],
        ]
        try AgentConfigRenderer.validateSettings(settings)
        let config = TenantConfig(
            tenantID: id, provider: "openrouter", model: "m", settings: settings,
            apiKey: try vault.seal("sk-secret", owner: SecretLocation.tenantAPIKey(id).owner), updatedAt: .now())
        let channel = Channel(
            id: 7, tenantID: id, kind: "discord", name: "ops", settings: ["guild_id": "123"],
            secret: try vault.seal("bot", owner: SecretLocation.channel(id: 7, tenantID: id, name: "ops").owner),
            enabled: true, createdAt: .now(), updatedAt: .now())
        let text = try AgentConfigRenderer.render(
            tenant: Tenant(id: id, name: "Acme", plan: "default", createdAt: .now()), config: config,
            channels: [channel], vault: vault, gatewayPort: 42617)
        let table = try TOML.decode(text)
        #expect(table["api_key"] == "sk-secret")
        #expect(table.value(atPath: ["agent", "max_tool_iterations"]) == .integer(12))
        #expect(table[""] == "empty key")
        #expect(table["ü \u{1}\"quoted\""] == .float(1.5))
        #expect(table.value(atPath: ["channels_config", "discord", "bot_token"]) == "bot")
        #expect(table.value(atPath: ["channels_config", "discord", "guild_id"]) == "123")
        #expect(table.value(atPath: ["gateway", "port"]) == .integer(42617))
        #expect(table.value(atPath: ["observability", "backend"]) == "prometheus")

        #expect(throws: ValidationError.self) { try AgentConfigRenderer.validateSettings(["gateway": ["port": 1]]) }
        #expect(throws: ValidationError.self) { try AgentConfigRenderer.validateSettings(["a": ["b": [nil]]]) }
    }

    @Test("two enabled channels of one kind cannot both be rendered")
    func oneChannelPerKind() throws {
        let directory = try TemporaryDirectory("zc-render")
        defer { directory.remove() }
        _ = try VaultKeyFile.create(directory.file("vault.key"))
        let vault = try Vault(keyFile: directory.file("vault.key"))
        let id = try TenantID("acme")
        let channels = ["a", "b"].enumerated().map { index, name in
            Channel(
                id: Int64(index), tenantID: id, kind: "webhook", name: name, settings: [:], secret: nil, enabled: true,
                createdAt: .now(), updatedAt: .now())
        }
        #expect(throws: AgentConfigRenderer.RenderError.self) {
            _ = try AgentConfigRenderer.render(
                tenant: Tenant(id: id, name: "Acme", plan: "default", createdAt: .now()), config: nil,
                channels: channels, vault: vault, gatewayPort: 42617)
        }
    }
}
