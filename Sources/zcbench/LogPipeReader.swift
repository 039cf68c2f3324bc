import Foundation
import Synchronization

/// The other end of a server's stderr, as `docker logs` or journald would hold it: a pipe read on a
/// thread of its own, counting the lines and bytes that arrive. A server that writes one line per
/// request pays for the pipe here as it would in production.
final class LogPipeReader: Sendable {
    let pipe = Pipe()
    private let counts = Mutex<(lines: Int, bytes: Int)>((0, 0))
    private let finished = DispatchSemaphore(value: 0)

    init() {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while let block = try? handle.read(upToCount: 1 << 16), !block.isEmpty {
                let lines = block.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                counts.withLock { $0 = ($0.lines + lines, $0.bytes + block.count) }
            }
            finished.signal()
        }
        thread.name = "log-pipe-reader"
        thread.start()
    }

    /// The counts once the writer has gone (the server exited and the pipe's write end is closed).
    func totals() -> (lines: Int, bytes: Int) {
        try? pipe.fileHandleForWriting.close()
        finished.wait()
        return counts.withLock { $0 }
    }
}
