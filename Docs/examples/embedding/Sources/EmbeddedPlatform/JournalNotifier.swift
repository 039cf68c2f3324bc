import Foundation
import ZCCore
import ZCPlatform

/// A notifier of this program's own: appends one JSON line per notification to a file. It writes the
/// kind, the recipient and the title, never the body (a login code's body holds the code).
struct JournalNotifier: Notifier {
    let name = "journal"
    let path: String

    struct Line: Encodable {
        let kind: String
        let severity: String
        let recipient: String?
        let title: String
    }

    func send(_ notification: ZCCore.Notification) async throws {
        var line = try JSONEncoder().encode(
            Line(
                kind: notification.kind.rawValue, severity: notification.severity.rawValue,
                recipient: notification.recipient, title: notification.title))
        line.append(UInt8(ascii: "\n"))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw JournalError(path: path, code: errno) }
        defer { close(descriptor) }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw JournalError(path: path, code: errno) }
    }

    struct JournalError: Error, CustomStringConvertible {
        let path: String
        let code: Int32
        var description: String { "cannot append to \(path): \(String(cString: strerror(code)))" }
    }

    /// Its registration: `[notifiers.journal] enabled, path`; a path is required when it is enabled.
    static let plugin = NotifierPlugin(
        name: "journal", help: "append notifications to a file, one JSON line each",
        keys: [ConfigurationKey("path", .string, help: "the journal file", default: nil)],
        validate: { settings throws(ConfigurationError) in
            if try settings.bool("enabled"), try settings.optionalString("path") == nil {
                throw ConfigurationError("\(settings.qualified("path")) is required when the journal is enabled")
            }
        }
    ) { context in
        JournalNotifier(path: try context.settings.string("path"))
    }
}
