import ZCCore

/// Delivers alerts as log lines, for the operator's log pipeline. A login code is never logged: anyone
/// who reads the journal could sign in as anyone. Codes go by mail (`[notifiers.mail]`), or in
/// development to stderr when `auth.print_login_codes` says so.
public struct LogNotifier: Notifier {
    public let name = "log"
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func send(_ notification: Notification) async throws {
        guard notification.kind != .loginCode else { return }
        let level: LogLevel =
            switch notification.severity {
            case .info: .notice
            case .warning: .warning
            case .critical: .critical
            }
        logger.log(
            level, notification.kind.rawValue,
            [
                "title": notification.title, "body": notification.body, "recipient": notification.recipient ?? "-",
                "labels": notification.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: ","),
            ])
    }
}
