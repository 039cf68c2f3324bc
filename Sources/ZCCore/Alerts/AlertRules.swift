/// The built-in alert rules (the operations document's "Alerting Recommendations"), with their
/// thresholds and durations from the configuration. One more rule has no setting: the newest `backup`
/// audit event saying `failed` fires `BackupFailed` (warning) until a backup succeeds.
public struct AlertRules: Sendable, Hashable {
    /// A tenant in `error` for longer than this fires `TenantInError` (warning).
    public var errorFor: Duration
    /// A tenant's CPU above `cpuPercent` for longer than `cpuFor` fires `TenantHighCPU` (warning).
    public var cpuPercent: Double
    public var cpuFor: Duration
    /// Host disk use of the data directory above these percentages fires `HostDiskUsage` (warning,
    /// then critical).
    public var diskWarningPercent: Double
    public var diskCriticalPercent: Double
    /// The container runtime unreachable for longer than this fires `RuntimeUnavailable` (critical).
    public var runtimeOutageFor: Duration

    public init(
        errorFor: Duration = .seconds(300), cpuPercent: Double = 80, cpuFor: Duration = .seconds(900),
        diskWarningPercent: Double = 80, diskCriticalPercent: Double = 95, runtimeOutageFor: Duration = .seconds(60)
    ) {
        self.errorFor = errorFor
        self.cpuPercent = cpuPercent
        self.cpuFor = cpuFor
        self.diskWarningPercent = diskWarningPercent
        self.diskCriticalPercent = diskCriticalPercent
        self.runtimeOutageFor = runtimeOutageFor
    }
}

/// One alert as it stands: which rule, about what, how bad, since when.
public struct Alert: Sendable, Hashable {
    public var name: String
    public var severity: Notification.Severity
    /// Identify the alert together with `name`: `tenant`, `node`, `path`.
    public var labels: [String: String]
    public var summary: String
    public var description: String
    /// When the condition was first seen (the alert fires once it has held for the rule's duration).
    public var activeSince: Timestamp

    public init(
        name: String, severity: Notification.Severity, labels: [String: String], summary: String,
        description: String, activeSince: Timestamp
    ) {
        self.name = name
        self.severity = severity
        self.labels = labels
        self.summary = summary
        self.description = description
        self.activeSince = activeSince
    }

    /// What makes two evaluations the same alert: its name, severity and labels.
    public var key: String {
        ([name, severity.rawValue] + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(
            separator: "|")
    }
}
