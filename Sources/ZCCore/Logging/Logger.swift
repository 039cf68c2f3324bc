import Foundation

/// The logging frontend every component receives by injection: one line per event, with a level,
/// an event name and key=value fields. Never pass secrets or bound database values as fields.
public struct Logger: Sendable {
    public var label: String
    public var minimumLevel: LogLevel
    /// Fields added to every record of this logger (`component=store`).
    public var fields: [(String, String)]
    private let handler: any LogHandler

    public init(label: String, minimumLevel: LogLevel = .info, handler: any LogHandler) {
        self.label = label
        self.minimumLevel = minimumLevel
        self.fields = []
        self.handler = handler
    }

    /// A logger that drops everything.
    public static let disabled = Logger(label: "disabled", minimumLevel: .critical, handler: NullLogHandler())

    /// The same destination under another label.
    public func labeled(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    /// The same logger with `key=value` added to every record.
    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.fields.append((key, value))
        return copy
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= minimumLevel }

    public func log(_ level: LogLevel, _ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible>) {
        guard level >= minimumLevel else { return }
        let now = Date().timeIntervalSince1970
        let seconds = now.rounded(.down)
        var all = self.fields
        for (key, value) in fields { all.append((key, value.description)) }
        handler.log(
            LogRecord(
                time: Timestamp(seconds: Int64(seconds)), milliseconds: Int((now - seconds) * 1000), level: level,
                label: label, event: event, fields: all))
    }

    /// An access-log line (`event=http.request`) at `info`, handed over as it is: nothing is formatted
    /// on the caller's thread.
    public func access(_ record: AccessRecord) {
        guard LogLevel.info >= minimumLevel else { return }
        handler.log(access: record, label: label, fields: fields)
    }

    public func trace(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.trace, event, fields)
    }
    public func debug(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.debug, event, fields)
    }
    public func info(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.info, event, fields)
    }
    public func notice(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.notice, event, fields)
    }
    public func warning(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.warning, event, fields)
    }
    public func error(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.error, event, fields)
    }
    public func critical(_ event: String, _ fields: KeyValuePairs<String, any CustomStringConvertible> = [:]) {
        log(.critical, event, fields)
    }
}
