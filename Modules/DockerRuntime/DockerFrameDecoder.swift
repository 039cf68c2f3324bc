import ZCCore

/// Decodes Docker's multiplexed stream (logs and exec output without a TTY): frames of an 8-byte header
/// `[stream, 0, 0, 0, size as big-endian UInt32]` and `size` bytes of payload. A frame may span reads and
/// one read may hold many frames; the decoder keeps what it has not yet been able to use.
struct DockerFrameDecoder: Sendable {
    /// A frame larger than this is refused (Docker's own frames are at most 32 KiB of log text).
    static let maxFrameBytes = 16 << 20

    struct MalformedStream: Error, CustomStringConvertible {
        let description: String
    }

    private var buffer: [UInt8] = []
    private var start = 0

    /// The payloads `bytes` completes, with the stream each came from (stdin frames are dropped).
    mutating func append(_ bytes: some Collection<UInt8>) throws -> [(LogLine.Stream, [UInt8])] {
        buffer.append(contentsOf: bytes)
        var frames: [(LogLine.Stream, [UInt8])] = []
        while buffer.count - start >= 8 {
            let kind = buffer[start]
            guard kind <= 2, buffer[start + 1] == 0, buffer[start + 2] == 0, buffer[start + 3] == 0 else {
                throw MalformedStream(description: "a frame header with stream byte \(kind) is not Docker's")
            }
            let size =
                Int(buffer[start + 4]) << 24 | Int(buffer[start + 5]) << 16 | Int(buffer[start + 6]) << 8
                | Int(buffer[start + 7])
            guard size <= Self.maxFrameBytes else {
                throw MalformedStream(description: "a frame of \(size) bytes is larger than allowed")
            }
            guard buffer.count - start - 8 >= size else { break }
            let payload = Array(buffer[(start + 8)..<(start + 8 + size)])
            start += 8 + size
            switch kind {
            case 1: frames.append((.stdout, payload))
            case 2: frames.append((.stderr, payload))
            default: break
            }
        }
        // Keep the buffer from growing: drop what was consumed once it is most of it.
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return frames
    }

    /// Bytes of an unfinished frame left over at the end of the stream.
    var pendingBytes: Int { buffer.count - start }
}
