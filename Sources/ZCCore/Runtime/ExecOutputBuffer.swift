import Synchronization

/// An exec's output, shared between the reader and the timeout so a cut command still shows what it
/// printed.
public final class ExecOutputBuffer: Sendable {
    private let state = Mutex<(bytes: [UInt8], truncated: Bool)>(([], false))
    public let limit: Int

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    public func append(_ bytes: [UInt8]) {
        state.withLock { state in
            let room = limit - state.bytes.count
            if bytes.count > room {
                state.bytes.append(contentsOf: bytes.prefix(max(0, room)))
                state.truncated = true
            } else {
                state.bytes.append(contentsOf: bytes)
            }
        }
    }

    /// The output so far, and whether some was dropped.
    public var result: (String, Bool) {
        state.withLock { (String(decoding: $0.bytes, as: UTF8.self), $0.truncated) }
    }
}
