import Synchronization
import ZCHTTP

/// A followed log as Server-Sent Events: one `data:` event per line, a comment every `heartbeat` so
/// proxies keep the connection and a client that left is noticed, and an `end` event when the agent
/// stops. Writes from the lines and the heartbeat never interleave.
struct LogEventStream {
    let writer: any HTTPBodyWriter
    var heartbeat: Duration = .seconds(15)

    private actor Serial {
        let writer: any HTTPBodyWriter
        init(writer: any HTTPBodyWriter) { self.writer = writer }
        func write(_ text: String) async throws { try await writer.write(Array(text.utf8)) }
    }

    /// Runs `produce` with a `send` for each line until it ends (then `event: end`), the client leaves,
    /// or the task is cancelled.
    func run(
        _ produce: @escaping @Sendable (_ send: @escaping @Sendable (String) async throws -> Void) async throws -> Void
    )
        async throws
    {
        let serial = Serial(writer: writer)
        let heartbeat = self.heartbeat
        try await serial.write(": following\n\n")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await produce { line in try await serial.write(Self.event(line)) }
                try await serial.write("event: end\ndata: the agent stopped\n\n")
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: heartbeat)
                    try await serial.write(": keep-alive\n\n")
                }
            }
            // The first to end (the log, or a write to a client that left) ends both.
            try await group.next()
            group.cancelAll()
        }
    }

    /// One line as an event; a carriage return inside it would end the field, so it becomes a new
    /// `data:` field (which clients join with a newline).
    static func event(_ line: String) -> String {
        var text = "data: "
        for character in line.unicodeScalars {
            if character == "\r" || character == "\n" {
                text += "\ndata: "
            } else {
                text.unicodeScalars.append(character)
            }
        }
        return text + "\n\n"
    }
}

/// Lines gathered for a JSON answer.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
