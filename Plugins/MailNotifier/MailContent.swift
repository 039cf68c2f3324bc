import ZCCore

/// What a notification says as a mail: its subject and its plain-text body.
///
/// A login code keeps its own title and body (the body holds the code). An alert's subject is
/// `[FIRING] title` or `[RESOLVED] title`; its body is the alert's text, then its severity, labels (sorted by
/// name), when it started and, once resolved, when it ended.
enum MailContent {
    static func subject(for notification: ZCCore.Notification) -> String {
        switch notification.kind {
        case .loginCode: notification.title
        case .alertFiring: "[FIRING] \(notification.title)"
        case .alertResolved: "[RESOLVED] \(notification.title)"
        }
    }

    static func body(for notification: ZCCore.Notification) -> String {
        guard notification.kind != .loginCode else { return notification.body }
        var lines = [notification.body, "", "Severity: \(notification.severity.rawValue)"]
        if !notification.labels.isEmpty {
            lines.append("Labels:")
            for (name, value) in notification.labels.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(name)=\(value)")
            }
        }
        if let startedAt = notification.startedAt { lines.append("Started: \(startedAt.iso8601)") }
        if notification.kind == .alertResolved {
            lines.append("Resolved: \(notification.at.iso8601)")
        } else {
            lines.append("At: \(notification.at.iso8601)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
