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

    public func log(access record: AccessRecord, label: String, fields: [(String, String)]) {
        for handler in handlers { handler.log(access: record, label: label, fields: fields) }
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
    private let lock = Mutex(LogTimeCache())

    public init(descriptor: Int32 = 2, format: LogFormat = .logfmt) {
        self.descriptor = descriptor
        self.format = format
    }

    public func log(_ record: LogRecord) {
        lock.withLock { times in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(200)
            format.render(record, into: &bytes, times: &times)
            bytes.append(0x0A)
            Self.writeAll(bytes, to: descriptor)
        }
    }

    /// Writes all of `bytes`, retrying after signals and waiting when the descriptor is non-blocking
    /// and full. Gives up silently on any other error: a log line must never fail its caller.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress!.advanced(by: offset), buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, 1000)
                } else {
                    return
                }
            }
        }
    }
}
