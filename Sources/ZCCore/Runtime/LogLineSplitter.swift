/// Cuts an agent's output into lines as its bytes arrive in pieces of any size: a line may span many
/// reads, and one read may hold many lines. Each stream (stdout, stderr) keeps its own partial line.
public struct LogLineSplitter: Sendable {
    /// A line longer than this is handed out in pieces of this size, so one runaway line cannot grow
    /// memory without bound.
    public let maxLineBytes: Int
    private var partial: [LogLine.Stream: [UInt8]] = [:]

    public init(maxLineBytes: Int = 64 * 1024) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// The lines `bytes` completes, in order. A trailing `\r` before the newline is dropped.
    public mutating func append(_ bytes: some Collection<UInt8>, from stream: LogLine.Stream) -> [LogLine] {
        var lines: [LogLine] = []
        var current = partial[stream] ?? []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if current.last == UInt8(ascii: "\r") { current.removeLast() }
                lines.append(LogLine(stream: stream, text: String(decoding: current, as: UTF8.self)))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
                if current.count >= maxLineBytes {
                    lines.append(LogLine(stream: stream, text: String(decoding: current, as: UTF8.self)))
                    current.removeAll(keepingCapacity: true)
                }
            }
        }
        partial[stream] = current
        return lines
    }

    /// What is left without a final newline, once the output has ended.
    public mutating func finish() -> [LogLine] {
        var lines: [LogLine] = []
        for stream in [LogLine.Stream.stdout, .stderr] {
            if let rest = partial[stream], !rest.isEmpty {
                lines.append(LogLine(stream: stream, text: String(decoding: rest, as: UTF8.self)))
            }
        }
        partial.removeAll()
        return lines
    }
}
