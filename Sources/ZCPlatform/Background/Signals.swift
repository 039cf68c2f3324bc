import Dispatch
import Glibc
import Synchronization

/// Termination signals as an async wait. Watching starts when the value is made: from then on the
/// signals' default action is replaced for the process, so a SIGTERM from systemd or Docker, even one
/// that arrives while the platform is still starting, becomes a clean shutdown once it is waited for.
public final class Signals: Sendable {
    private let stream: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    private let sources: Mutex<[any DispatchSourceSignal]>

    public init(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        (stream, continuation) = AsyncStream<Int32>.makeStream()
        let queue = DispatchQueue(label: "zcplatform.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [continuation] in continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    deinit {
        sources.withLock { sources in for source in sources { source.cancel() } }
        continuation.finish()
    }

    /// The first signal delivered since watching began (at once if one already was); nil when the
    /// task is cancelled first.
    public func next() async -> Int32? {
        let continuation = self.continuation
        return await withTaskCancellationHandler {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next()
        } onCancel: {
            continuation.finish()
        }
    }
}
