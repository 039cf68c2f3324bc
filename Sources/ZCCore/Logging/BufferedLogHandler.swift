import Foundation
import Synchronization

/// A log handler that never makes its caller wait for the sink: records go into a bounded queue, and a
/// thread of its own renders them and writes them in batches, one `write` per batch. An event loop that
/// logs every request pays for an append under a lock, not for formatting and a system call.
///
/// - Records at `error` and above are written before `log` returns, after everything queued before them,
///   so the last words of a failing process reach the sink.
/// - When the sink stalls (a full pipe, a stopped log shipper) and the queue is full, records below
///   `warning` are dropped rather than blocking; warnings are dropped only past twice the capacity.
///   Each drop is counted (`dropped`, and the counter given to `countDrops(in:)`), and once the writer
///   catches up it writes a `log.lines_dropped` line saying how many.
/// - `shutdown()` writes what is queued and ends the thread; records logged after it are written at once.
public final class BufferedLogHandler: LogHandler {
    /// Records held at most while the sink is behind.
    public let capacity: Int
    private let descriptor: Int32
    private let format: LogFormat

    private struct Queue {
        var records: [LogRecord] = []
        var droppedSinceReport = 0
        var closed = false
    }

    private let queue = Mutex(Queue())
    /// Held while writing to the sink, so that batches and synchronous records keep their order; it
    /// guards the text of the last second rendered.
    private let writing = Mutex(LogTimeCache())
    private let wake = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)
    private let droppedTotal = Atomic<Int>(0)
    private let dropCounter = Mutex<Counter?>(nil)

    public init(descriptor: Int32 = 2, format: LogFormat = .logfmt, capacity: Int = 16_384) {
        self.descriptor = descriptor
        self.format = format
        self.capacity = max(1, capacity)
        let thread = Thread { [self] in writeUntilShutdown() }
        thread.name = "log-writer"
        thread.start()
    }

    /// Records dropped because the queue was full, since the start.
    public var dropped: Int { droppedTotal.load(ordering: .relaxed) }

    /// Adds every later drop to `counter` (the platform's `zcplatform_log_lines_dropped_total`).
    public func countDrops(in counter: Counter) {
        dropCounter.withLock { $0 = counter }
    }

    public func log(_ record: LogRecord) {
        if record.level >= .error {
            writeNow(record)
            return
        }
        enum Outcome { case queued(first: Bool), dropped, closed }
        let limit = record.level >= .warning ? capacity * 2 : capacity
        let outcome = queue.withLock { queue -> Outcome in
            if queue.closed { return .closed }
            guard queue.records.count < limit else {
                queue.droppedSinceReport += 1
                return .dropped
            }
            queue.records.append(record)
            return .queued(first: queue.records.count == 1)
        }
        switch outcome {
        case .queued(let first): if first { wake.signal() }
        case .dropped:
            droppedTotal.add(1, ordering: .relaxed)
            dropCounter.withLock { $0 }?.increment()
        case .closed: writeNow(record)
        }
    }

    /// Writes everything queued so far before returning.
    public func flush() {
        writing.withLock { times in write(takeQueued().records, times: &times) }
    }

    /// Writes what is queued and ends the writer thread. Later records are written synchronously.
    public func shutdown() {
        let first = queue.withLock { queue -> Bool in
            defer { queue.closed = true }
            return !queue.closed
        }
        guard first else { return }
        wake.signal()
        ended.wait()
    }

    // MARK: Writing

    private func writeUntilShutdown() {
        while true {
            wake.wait()
            let closed = writing.withLock { times -> Bool in
                let taken = takeQueued()
                write(taken.records, times: &times)
                return taken.closed
            }
            if closed { break }
        }
        ended.signal()
    }

    private func writeNow(_ record: LogRecord) {
        writing.withLock { times in write(takeQueued().records + [record], times: &times) }
    }

    /// Empties the queue; a pending drop report becomes a record at the end. Called holding `writing`.
    private func takeQueued() -> (records: [LogRecord], closed: Bool) {
        var (records, dropped, closed) = queue.withLock { queue in
            defer {
                queue.records = []
                queue.droppedSinceReport = 0
            }
            return (queue.records, queue.droppedSinceReport, queue.closed)
        }
        if dropped > 0 {
            let now = Date().timeIntervalSince1970
            let seconds = now.rounded(.down)
            records.append(
                LogRecord(
                    time: Timestamp(seconds: Int64(seconds)), milliseconds: Int((now - seconds) * 1000),
                    level: .warning, label: "log", event: "log.lines_dropped",
                    fields: [("count", String(dropped)), ("reason", "the log sink fell behind")]))
        }
        return (records, closed)
    }

    private func write(_ records: [LogRecord], times: inout LogTimeCache) {
        guard !records.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 200)
        for record in records {
            format.render(record, into: &bytes, times: &times)
            bytes.append(0x0A)
        }
        StreamLogHandler.writeAll(bytes, to: descriptor)
    }
}
