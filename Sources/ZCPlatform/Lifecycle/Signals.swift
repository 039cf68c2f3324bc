import Dispatch
import Glibc

/// Termination signals as an async wait. The signals' default action is replaced for the process, so
/// a SIGTERM from systemd or Docker becomes a clean shutdown.
public enum Signals {
    /// Returns the first of `signals` delivered to the process; returns nil when the task is cancelled.
    public static func wait(for signals: [Int32] = [SIGTERM, SIGINT]) async -> Int32? {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let queue = DispatchQueue(label: "zcplatform.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        defer { for source in sources { source.cancel() } }
        return await withTaskCancellationHandler {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next()
        } onCancel: {
            continuation.finish()
        }
    }
}
