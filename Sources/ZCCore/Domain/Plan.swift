/// A plan from the configuration (`[plans.NAME]`): the limits a tenant's container runs under.
public struct Plan: Sendable, Hashable, Codable {
    public var name: String
    /// CPU limit in cores (Docker `NanoCpus` = cores × 10⁹).
    public var cpuLimit: Double
    /// Memory limit in bytes; swap is set equal, so the container cannot swap.
    public var memoryBytes: Int64
    public var pidsLimit: Int64
    public var maxChannels: Int
    public var maxMembers: Int
    public var maxMessagesPerDay: Int

    public init(
        name: String, cpuLimit: Double, memoryBytes: Int64, pidsLimit: Int64, maxChannels: Int, maxMembers: Int,
        maxMessagesPerDay: Int
    ) {
        self.name = name
        self.cpuLimit = cpuLimit
        self.memoryBytes = memoryBytes
        self.pidsLimit = pidsLimit
        self.maxChannels = maxChannels
        self.maxMembers = maxMembers
        self.maxMessagesPerDay = maxMessagesPerDay
    }

    /// The plan named `default` that exists out of the box.
    public static let standard = Plan(
        name: "default", cpuLimit: 0.5, memoryBytes: 256 * 1024 * 1024, pidsLimit: 128, maxChannels: 5,
        maxMembers: 10, maxMessagesPerDay: 5_000)

    /// Checks the limits are usable; names the offending field.
    public func validate() throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: "plans.name", "must not be empty") }
        let prefix = "plans.\(name)"
        guard cpuLimit > 0, cpuLimit <= 1024 else {
            throw ValidationError(field: "\(prefix).cpu_limit", "must be more than 0 and at most 1024 cores")
        }
        guard memoryBytes >= 6 * 1024 * 1024 else {
            throw ValidationError(field: "\(prefix).memory", "must be at least 6 MiB (Docker's minimum)")
        }
        guard pidsLimit > 0 else { throw ValidationError(field: "\(prefix).pids_limit", "must be positive") }
        guard maxChannels >= 0 else { throw ValidationError(field: "\(prefix).max_channels", "must not be negative") }
        guard maxMembers >= 1 else { throw ValidationError(field: "\(prefix).max_members", "must be at least 1") }
        guard maxMessagesPerDay >= 0 else {
            throw ValidationError(field: "\(prefix).max_messages_per_day", "must not be negative")
        }
    }
}
