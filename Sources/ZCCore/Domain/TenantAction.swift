/// What an operator asks of a tenant through the API or the CLI. Each is guarded by the status machine.
public enum TenantAction: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    case deploy
    case start
    case stop
    case restart
    case delete

    public var description: String { rawValue }
}

/// What the platform itself observes about a tenant: a deploy ending, a health verdict.
public enum TenantEvent: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The deploy pipeline finished and the agent answered `/health`.
    case deploySucceeded
    /// A deploy step failed.
    case deployFailed
    /// The health checker gave up on the agent, or the runtime lost it.
    case failed
    /// An agent in `error` answers `/health` again.
    case recovered

    public var description: String { rawValue }
}
