/// Where a tenant's agent is in its life: `draft → deploying → running ⇄ stopped`, any → `error`,
/// any → `deleted`.
public enum TenantStatus: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case draft
    case deploying
    case running
    case stopped
    case error
    case deleted

    public var description: String { rawValue }
}
