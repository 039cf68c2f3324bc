import Foundation
import Synchronization
import ZCCore

/// One agent's output on disk, as Docker's json-file driver keeps it but in plain lines:
/// `agent.log` (then `agent.log.1`, `agent.log.2` …), each line `{RFC 3339 time} {stream} {text}`.
/// Files rotate at `maxBytes`; `maxFiles` are kept. Followers get new lines as they are written.
final class AgentLog: Sendable {
    let directory: String
    let maxBytes: Int
    let maxFiles: Int

    private struct State {
        var fd: Int32 = -1
        var size = 0
        var splitter = LogLineSplitter()
        var followers: [Int: (continuation: AsyncStream<LogLine>.Continuation, timestamps: Bool)] = [:]
        var nextFollower = 0
    }

    private let state = Mutex(State())

    init(directory: String, maxBytes: Int, maxFiles: Int) {
        self.directory = directory
        self.maxBytes = max(4096, maxBytes)
        self.maxFiles = max(1, maxFiles)
    }

    var path: String { "\(directory)/agent.log" }

    /// Appends what the agent wrote; complete lines are stored and handed to followers.
    func append(_ bytes: some Collection<UInt8>, from stream: LogLine.Stream) {
        state.withLock { state in
            for line in state.splitter.append(bytes, from: stream) { write(line, &state) }
        }
    }

    /// Stores a partial last line and ends every follower (the agent has exited).
    func finish() {
        let ended = state.withLock { state in
            for line in state.splitter.finish() { write(line, &state) }
            defer { state.followers.removeAll() }
            return state.followers.values.map(\.continuation)
        }
        // Outside the lock: finishing runs each follower's termination handler, which takes it.
        for follower in ended { follower.finish() }
    }

    func close() {
        state.withLock { state in
            if state.fd >= 0 { Glibc.close(state.fd) }
            state.fd = -1
        }
    }

    /// The last `count` lines, oldest first.
    func tail(_ count: Int, timestamps: Bool) -> [LogLine] {
        state.withLock { _ in readTail(count, timestamps: timestamps) }
    }

    /// The last `count` lines and every later one, with nothing lost or repeated between the two.
    func follow(tail count: Int, timestamps: Bool) -> ([LogLine], AsyncStream<LogLine>) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: LogLine.self, bufferingPolicy: .bufferingNewest(10_000))
        let (lines, key) = state.withLock { state in
            let key = state.nextFollower
            state.nextFollower += 1
            state.followers[key] = (continuation, timestamps)
            return (readTail(count, timestamps: timestamps), key)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.followers.removeValue(forKey: key) }
        }
        return (lines, stream)
    }

    private func write(_ line: LogLine, _ state: inout State) {
        let time = Self.now()
        for follower in state.followers.values {
            follower.continuation.yield(
                follower.timestamps ? LogLine(stream: line.stream, text: "\(time) \(line.text)") : line)
        }
        let record = Array("\(time) \(line.stream.rawValue) \(line.text)\n".utf8)
        if state.fd < 0 || state.size + record.count > maxBytes {
            rotate(&state)
        }
        guard state.fd >= 0 else { return }
        let written = record.withUnsafeBytes { Glibc.write(state.fd, $0.baseAddress, $0.count) }
        if written > 0 { state.size += written }
    }

    private func rotate(_ state: inout State) {
        if state.fd >= 0 {
            Glibc.close(state.fd)
            state.fd = -1
            if maxFiles > 1 {
                for index in stride(from: maxFiles - 1, to: 0, by: -1) {
                    let from = index == 1 ? path : "\(path).\(index - 1)"
                    _ = rename(from, "\(path).\(index)")
                }
            } else {
                unlink(path)
            }
        }
        state.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        var info = stat()
        state.size = state.fd >= 0 && fstat(state.fd, &info) == 0 ? Int(info.st_size) : 0
    }

    private func readTail(_ count: Int, timestamps: Bool) -> [LogLine] {
        guard count > 0 else { return [] }
        var records: [String] = []
        for index in 0..<maxFiles where records.count < count {
            let file = index == 0 ? path : "\(path).\(index)"
            records = Self.lastLines(of: file, count: count - records.count) + records
        }
        return records.compactMap { Self.parse($0, timestamps: timestamps) }
    }

    /// `{time} {stream} {text}` back into a line.
    static func parse(_ record: String, timestamps: Bool) -> LogLine? {
        let parts = record.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let stream = LogLine.Stream(rawValue: String(parts[1])) else { return nil }
        let text = parts.count == 3 ? String(parts[2]) : ""
        return LogLine(stream: stream, text: timestamps ? "\(parts[0]) \(text)" : text)
    }

    /// The last `count` lines of a file, read backwards in blocks so a large file costs little, and at
    /// most `maxBytes` of it: the agent writes this file, and one 50 MiB line must not become one answer.
    static func lastLines(of path: String, count: Int, maxBytes: Int = 4 << 20) -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return [] }
        var position = Int(info.st_size)
        // Blocks from the end, joined once at the end: prepending each block to what was read would copy
        // the tail again for every block (quadratic in a long line).
        var blocks: [[UInt8]] = []
        var gathered = 0
        var newlines = 0
        let block = 65_536
        while position > 0 && newlines <= count && gathered < maxBytes {
            let size = min(block, position, maxBytes - gathered)
            position -= size
            var chunk = [UInt8](repeating: 0, count: size)
            let read = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, off_t(position)) }
            guard read == size else { break }
            newlines += chunk.lazy.filter { $0 == UInt8(ascii: "\n") }.count
            blocks.append(chunk)
            gathered += size
        }
        var collected: [UInt8] = []
        collected.reserveCapacity(gathered)
        for chunk in blocks.reversed() { collected += chunk }
        var lines = collected.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        // Stopped at the byte bound inside a line: that line's start is missing, so it is left out
        // (unless it is all there is: then its end stands for it).
        if position > 0, lines.count > 1, collected.first != UInt8(ascii: "\n") { lines.removeFirst() }
        return lines.suffix(count).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Now as RFC 3339 with nanoseconds, as Docker stamps its log lines.
    static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(time.tv_nsec))
    }
}
