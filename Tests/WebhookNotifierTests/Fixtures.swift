import Foundation
import WebhookNotifier
import ZCCore

/// Notifications and notifiers the suites share.
enum Fixtures {
    /// 2026-01-01T00:00:00Z.
    static let start = Timestamp(seconds: 1_767_225_600)

    static let firing = ZCCore.Notification(
        kind: .alertFiring, severity: .warning, title: "Disk almost full", body: "node-1: /var is 91% full",
        labels: ["alertname": "DiskAlmostFull", "node": "node-1"], at: start.adding(seconds: 300),
        startedAt: start)

    static let resolved = ZCCore.Notification(
        kind: .alertResolved, severity: .warning, title: "Disk almost full", body: "node-1: /var is 62% full",
        labels: ["alertname": "DiskAlmostFull", "node": "node-1"], at: start.adding(seconds: 3600),
        startedAt: start)

    static let loginCode = ZCCore.Notification(
        kind: .loginCode, severity: .info, title: "Your zcplatform login code", body: "Your code is 493817.",
        recipient: "ada@example.com", at: start)

    static func notifier(
        _ url: URL, secret: String? = nil, format: WebhookNotifierOptions.Format = .json, maxAttempts: Int = 5,
        timeout: Duration = .seconds(10), externalURL: String? = nil, sleeps: SleepRecorder = SleepRecorder()
    ) -> WebhookNotifier {
        WebhookNotifier(
            options: WebhookNotifierOptions(
                url: url, secret: secret, format: format, maxAttempts: maxAttempts, timeout: timeout,
                externalURL: externalURL),
            logger: .disabled, sleep: sleeps.sleep)
    }
}
