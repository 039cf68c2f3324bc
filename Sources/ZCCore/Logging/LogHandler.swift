/// One structured log event: a level, an event name (`store.migrated`) and key=value fields.
public struct LogRecord: Sendable, Hashable {
    public var time: Timestamp
    /// Sub-second part of `time`, in milliseconds, for ordering close events.
    public var milliseconds: Int
    public var level: LogLevel
    public var label: String
    public var event: String
    public var fields: [(String, String)]

    public init(
        time: Timestamp, milliseconds: Int, level: LogLevel, label: String, event: String,
        fields: [(String, String)]
    ) {
        self.time = time
        self.milliseconds = milliseconds
        self.level = level
        self.label = label
        self.event = event
        self.fields = fields
    }

    public static func == (lhs: LogRecord, rhs: LogRecord) -> Bool {
        lhs.time == rhs.time && lhs.milliseconds == rhs.milliseconds && lhs.level == rhs.level
            && lhs.label == rhs.label && lhs.event == rhs.event
            && lhs.fields.map(\.0) == rhs.fields.map(\.0) && lhs.fields.map(\.1) == rhs.fields.map(\.1)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(time)
        hasher.combine(event)
        hasher.combine(label)
    }
}

/// Where log records go. Backends: a stream (stderr), memory (tests), several at once, nowhere.
public protocol LogHandler: Sendable {
    func log(_ record: LogRecord)
    /// An access-log line under `label`, after the logger's `fields`. A handler that writes lines itself
    /// (the buffered writer) keeps the record as it is and formats it later; any other handler stores the
    /// equivalent `LogRecord`, which is what the default does.
    func log(access record: AccessRecord, label: String, fields: [(String, String)])
}

extension LogHandler {
    public func log(access record: AccessRecord, label: String, fields: [(String, String)]) {
        log(record.logRecord(label: label, fields: fields))
    }
}
