import ZCCore

/// Delivers notifications as log lines: alerts for the operator's log pipeline, and — for development,
/// where no mail is sent — login codes, so a developer can sign in. The one notification that carries a
/// secret (a login code) is logged only by this notifier, to its owner's terminal.
public struct LogNotifier: Notifier {
    public let name = "log"
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func send(_ notification: Notification) async throws {
        var level: LogLevel
        switch notification.severity {
        case .info: level = .notice
        case .warning: level = .warning
        case .critical: level = .critical
        }
        if notification.kind == .loginCode { level = .notice }
        logger.log(
            level, notification.kind.rawValue,
            [
                "title": notification.title, "body": notification.body, "recipient": notification.recipient ?? "-",
                "labels": notification.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: ","),
            ])
    }
}
