/// Delivers what the platform must tell people: alerts firing and resolving, one-time login codes.
public protocol Notifier: Sendable {
    /// The driver's name as the configuration spells it (`log`, `webhook`).
    var name: String { get }
    func send(_ notification: Notification) async throws
}

/// One message to deliver.
public struct Notification: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case alertFiring = "alert.firing"
        case alertResolved = "alert.resolved"
        /// A login code for `recipient`; the only notification that carries a secret, to its owner.
        case loginCode = "auth.login_code"
    }

    public enum Severity: String, Sendable, Hashable, Comparable {
        case info, warning, critical

        private var rank: Int {
            switch self {
            case .info: 0
            case .warning: 1
            case .critical: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var kind: Kind
    public var severity: Severity
    public var title: String
    public var body: String
    /// Where a personal message goes (an email address); nil for fleet alerts.
    public var recipient: String?
    /// What identifies an alert (`alertname`, `tenant`, `node`…); equal labels are the same alert.
    public var labels: [String: String]
    /// When this was sent: for a resolved alert, when it ended.
    public var at: Timestamp
    /// When the alert began firing (nil for notifications that are not alerts).
    public var startedAt: Timestamp?

    public init(
        kind: Kind, severity: Severity, title: String, body: String, recipient: String? = nil,
        labels: [String: String] = [:], at: Timestamp, startedAt: Timestamp? = nil
    ) {
        self.startedAt = startedAt
        self.kind = kind
        self.severity = severity
        self.title = title
        self.body = body
        self.recipient = recipient
        self.labels = labels
        self.at = at
    }
}
