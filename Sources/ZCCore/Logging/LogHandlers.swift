import Foundation
import Synchronization

/// Drops every record.
public struct NullLogHandler: LogHandler {
    public init() {}
    public func log(_ record: LogRecord) {}
}

/// Sends each record to several handlers.
public struct MultiplexLogHandler: LogHandler {
    public let handlers: [any LogHandler]

    public init(_ handlers: [any LogHandler]) {
        self.handlers = handlers
    }

    public func log(_ record: LogRecord) {
        for handler in handlers { handler.log(record) }
    }
}

/// Keeps records in memory, for tests that assert on what was logged.
public final class InMemoryLogHandler: LogHandler {
    private let storage = Mutex<[LogRecord]>([])

    public init() {}

    public func log(_ record: LogRecord) {
        storage.withLock { $0.append(record) }
    }

    public var records: [LogRecord] { storage.withLock { $0 } }

    /// Every record rendered as the stream handler would, for searching the text.
    public func renderedLines(format: LogFormat = .logfmt) -> [String] {
        records.map { format.render($0) }
    }
}

/// Writes one line per record to a file descriptor (stderr by default), never interleaving lines.
public final class StreamLogHandler: LogHandler {
    private let descriptor: Int32
    private let format: LogFormat
    private let lock = Mutex<Void>(())

    public init(descriptor: Int32 = 2, format: LogFormat = .logfmt) {
        self.descriptor = descriptor
        self.format = format
    }

    public func log(_ record: LogRecord) {
        var line = format.render(record)
        line.append("\n")
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { buffer in
                    write(descriptor, buffer.baseAddress!.advanced(by: offset), buffer.count - offset)
                }
                if written <= 0 {
                    if written < 0, errno == EINTR { continue }
                    return
                }
                offset += written
            }
            bytes.removeAll()
        }
    }
}
