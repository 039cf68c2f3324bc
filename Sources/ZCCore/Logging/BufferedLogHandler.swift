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
/// - Access-log records (`log(access:label:fields:)`) are queued as they are, fixed-size plain values, and
///   formatted by the writer. When they are dropped they count apart (`accessDropped`, the counter given to
///   `countAccessDrops(in:)`), and an `access_log.lines_dropped` line says how many at most once a second.
/// - The writer writes a batch, then waits `batchInterval` before taking the next: under load a request
///   wakes no thread and lines reach the sink in few large writes; an idle log's next line goes at once.
/// - `shutdown()` writes what is queued and ends the thread; records logged after it are written at once.
public final class BufferedLogHandler: LogHandler {
    /// Records held at most while the sink is behind.
    public let capacity: Int
    private let descriptor: Int32
    private let format: LogFormat

    /// The pause after each batch before the writer takes the next.
    public let batchInterval: Duration

    enum Entry {
        case record(LogRecord)
        case access(AccessRecord, label: String, fields: [(String, String)])
    }

    private struct Queue {
        var records: [Entry] = []
        var droppedSinceReport = 0
        var accessDroppedSinceReport = 0
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
    private let accessDroppedTotal = Atomic<Int>(0)
    private let accessDropCounter = Mutex<Counter?>(nil)
    /// When a line last said how many access lines were dropped; read and set by `takeQueued`, which runs
    /// holding `writing` (on the writer thread, or the thread writing an error synchronously).
    private let accessReported = Mutex<ContinuousClock.Instant?>(nil)

    public init(
        descriptor: Int32 = 2, format: LogFormat = .logfmt, capacity: Int = 16_384,
        batchInterval: Duration = .milliseconds(20)
    ) {
        self.descriptor = descriptor
        self.format = format
        self.capacity = max(1, capacity)
        self.batchInterval = batchInterval
        let thread = Thread { [self] in writeUntilShutdown() }
        thread.name = "log-writer"
        thread.start()
    }

    /// Records dropped because the queue was full, since the start.
    public var dropped: Int { droppedTotal.load(ordering: .relaxed) }

    /// Access-log records dropped because the queue was full, since the start.
    public var accessDropped: Int { accessDroppedTotal.load(ordering: .relaxed) }

    /// Adds every later drop to `counter` (the platform's `zcplatform_log_lines_dropped_total`).
    public func countDrops(in counter: Counter) {
        dropCounter.withLock { $0 = counter }
    }

    /// Adds every later dropped access-log record to `counter` (`zcplatform_access_log_dropped_total`).
    public func countAccessDrops(in counter: Counter) {
        accessDropCounter.withLock { $0 = counter }
    }

    public func log(_ record: LogRecord) {
        if record.level >= .error {
            writeNow(.record(record))
            return
        }
        switch enqueue(.record(record), limit: record.level >= .warning ? capacity * 2 : capacity, access: false) {
        case .queued: break
        case .dropped:
            droppedTotal.add(1, ordering: .relaxed)
            dropCounter.withLock { $0 }?.increment()
        case .closed: writeNow(.record(record))
        }
    }

    public func log(access record: AccessRecord, label: String, fields: [(String, String)]) {
        let entry = Entry.access(record, label: label, fields: fields)
        switch enqueue(entry, limit: capacity, access: true) {
        case .queued: break
        case .dropped:
            accessDroppedTotal.add(1, ordering: .relaxed)
            accessDropCounter.withLock { $0 }?.increment()
        case .closed: writeNow(entry)
        }
    }

    private enum Outcome { case queued, dropped, closed }

    /// Appends under the lock; the first entry of an empty queue wakes the writer, no other does.
    private func enqueue(_ entry: Entry, limit: Int, access: Bool) -> Outcome {
        let (outcome, first) = queue.withLock { queue -> (Outcome, Bool) in
            if queue.closed { return (.closed, false) }
            guard queue.records.count < limit else {
                if access { queue.accessDroppedSinceReport += 1 } else { queue.droppedSinceReport += 1 }
                return (.dropped, false)
            }
            queue.records.append(entry)
            return (.queued, queue.records.count == 1)
        }
        if first { wake.signal() }
        return outcome
    }

    /// Writes everything queued so far before returning.
    public func flush() {
        writing.withLock { times in write(takeQueued(final: false).records, times: &times) }
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
            // An access-drop report waiting for its second must go out even if nothing else is logged.
            if accessReportPending() {
                _ = wake.wait(timeout: .now() + .milliseconds(250))
            } else {
                wake.wait()
            }
            let closed = writing.withLock { times -> Bool in
                let taken = takeQueued(final: false)
                write(taken.records, times: &times)
                return taken.closed
            }
            if closed { break }
            let pause = batchInterval.components
            Thread.sleep(forTimeInterval: Double(pause.seconds) + Double(pause.attoseconds) / 1e18)
        }
        writing.withLock { times in write(takeQueued(final: true).records, times: &times) }
        ended.signal()
    }

    private func writeNow(_ entry: Entry) {
        writing.withLock { times in write(takeQueued(final: false).records + [entry], times: &times) }
    }

    private func accessReportPending() -> Bool {
        queue.withLock { $0.accessDroppedSinceReport > 0 }
    }

    /// Empties the queue; pending drop reports become records at the end (the access log's at most once a
    /// second, unless `final`). Called holding `writing`.
    private func takeQueued(final: Bool) -> (records: [Entry], closed: Bool) {
        let now = ContinuousClock.now
        let reportAccess =
            final || accessReported.withLock { last in last.map { now - $0 >= .seconds(1) } ?? true }
        var (records, dropped, accessDropped, closed) = queue.withLock { queue in
            let accessDropped = reportAccess ? queue.accessDroppedSinceReport : 0
            defer {
                queue.records.removeAll(keepingCapacity: false)
                queue.droppedSinceReport = 0
                queue.accessDroppedSinceReport -= accessDropped
            }
            return (queue.records, queue.droppedSinceReport, accessDropped, queue.closed)
        }
        if dropped > 0 {
            records.append(
                Self.warning("log", "log.lines_dropped", ("count", String(dropped)), "the log sink fell behind"))
        }
        if accessDropped > 0 {
            accessReported.withLock { $0 = now }
            records.append(
                Self.warning(
                    "http", "access_log.lines_dropped", ("count", String(accessDropped)),
                    "the log sink fell behind; requests were not slowed"))
        }
        return (records, closed)
    }

    private static func warning(
        _ label: String, _ event: String, _ count: (String, String), _ reason: String
    ) -> Entry {
        let now = Date().timeIntervalSince1970
        let seconds = now.rounded(.down)
        return .record(
            LogRecord(
                time: Timestamp(seconds: Int64(seconds)), milliseconds: Int((now - seconds) * 1000),
                level: .warning, label: label, event: event, fields: [count, ("reason", reason)]))
    }

    private func write(_ records: [Entry], times: inout LogTimeCache) {
        guard !records.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(records.count * 200)
        for entry in records {
            switch entry {
            case .record(let record): format.render(record, into: &bytes, times: &times)
            case .access(let record, let label, let fields):
                format.render(record, label: label, fields: fields, into: &bytes, times: &times)
            }
            bytes.append(0x0A)
        }
        StreamLogHandler.writeAll(bytes, to: descriptor)
    }
}
