import ZCCore
import ZCTOML

/// The pairings an agent recorded: ZeroClaw keeps the clients it paired with (`require_pairing`, on by
/// default) as `[gateway] paired_tokens`, a list of token hashes, in the same `config.toml` the platform
/// writes. The platform reads them back before every rewrite and renders them again, so a deploy or a
/// configuration change unpairs no one.
///
/// The file is the tenant's: read through descriptors and bounded (1 MiB), its tokens kept only when they
/// look like tokens (at most `maxTokens`, each 1 to `maxLength` printable ASCII characters).
enum AgentPairings {
    static let maxTokens = 1_000
    static let maxLength = 512

    /// The paired tokens in a `config.toml`; none when it does not parse or holds none.
    static func tokens(in bytes: [UInt8]) -> [String] {
        guard let table = try? TOML.decode(bytes: bytes),
            case .array(let items)? = table.value(atPath: ["gateway", "paired_tokens"])
        else { return [] }
        var tokens: [String] = []
        var seen: Set<String> = []
        for item in items.prefix(maxTokens) {
            guard case .string(let token) = item, (1...maxLength).contains(token.utf8.count),
                token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), seen.insert(token).inserted
            else { continue }
            tokens.append(token)
        }
        return tokens
    }
}

extension TenantLifecycle {
    /// The paired tokens in the tenant's current `config.toml` (none before its first deploy). A file the
    /// platform must not read (a link, a FIFO) is refused like any write to it would be; one grown past the
    /// bound is replaced all the same, its pairings unread (logged).
    func pairedTokens(of id: TenantID) throws -> [String] {
        do {
            guard let bytes = try directories.readConfig(of: id) else { return [] }
            return AgentPairings.tokens(in: bytes)
        } catch let large as TenantFileTooLarge {
            logger.warning(
                "tenant.pairings_unread",
                ["tenant": id.rawValue, "reason": large.description, "detail": "the agent's clients pair again"])
            return []
        }
    }
}
