import Foundation
import Synchronization
import ZCCore

@testable import MailNotifier

/// Notifications, credentials and notifiers the suites share.
enum Fixtures {
    /// 2026-01-01T00:00:00Z, a Thursday.
    static let start = Timestamp(seconds: 1_767_225_600)

    static let username = "mailer@example.com"
    static let password = "s3cret-Passw0rd!"
    static let code = "493817"

    static let loginCode = ZCCore.Notification(
        kind: .loginCode, severity: .info, title: "Your zcplatform login code",
        body: "Your code is \(code).\nIt expires in 10 minutes.", recipient: "ada@example.com", at: start)

    static let firing = ZCCore.Notification(
        kind: .alertFiring, severity: .warning, title: "Disk almost full", body: "node-1: /var is 91% full",
        labels: ["node": "node-1", "alertname": "DiskAlmostFull"], at: start.adding(seconds: 300), startedAt: start)

    static let resolved = ZCCore.Notification(
        kind: .alertResolved, severity: .warning, title: "Disk almost full", body: "node-1: /var is 62% full",
        labels: ["node": "node-1", "alertname": "DiskAlmostFull"], at: start.adding(seconds: 3600), startedAt: start)

    static func loginCode(to recipient: String?, body: String = "Your code is \(code).") -> ZCCore.Notification {
        ZCCore.Notification(
            kind: .loginCode, severity: .info, title: "Your zcplatform login code", body: body, recipient: recipient,
            at: start)
    }

    static func options(
        port: Int, tls: MailNotifierOptions.TLSMode = .starttls, host: String = "localhost",
        credentials: Bool = true, password: String = Fixtures.password, caFile: String? = nil,
        alertRecipients: [String] = [], maxAttempts: Int = 3, timeout: Duration = .seconds(20)
    ) -> MailNotifierOptions {
        MailNotifierOptions(
            host: host, port: port, tls: tls, username: credentials ? username : nil,
            password: credentials ? password : nil, from: "zcplatform <alerts@example.com>",
            alertRecipients: alertRecipients, caFile: caFile, timeout: timeout, maxAttempts: maxAttempts)
    }
}

/// Records the waits between attempts instead of waiting.
final class SleepRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])

    var recorded: [Duration] { waits.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { duration in self.waits.withLock { $0.append(duration) } }
    }
}

/// A notifier with its recorded waits and log.
struct NotifierUnderTest {
    let notifier: MailNotifier
    let sleeps = SleepRecorder()
    let log = InMemoryLogHandler()

    init(_ options: MailNotifierOptions) throws {
        let sleeps = self.sleeps
        notifier = try MailNotifier(
            options: options, logger: Logger(label: "mail", minimumLevel: .trace, handler: log), sleep: sleeps.sleep)
    }

    /// Every log line as text.
    var logText: String { log.renderedLines().joined(separator: "\n") }

    /// The events logged, in order.
    var events: [String] { log.records.map(\.event) }

    /// The `attempts` field of the record logged for `event`.
    func attempts(_ event: String) -> String? {
        log.records.first { $0.event == event }?.fields.first { $0.0 == "attempts" }?.1
    }
}
