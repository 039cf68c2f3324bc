/// A long-running part of the platform: the API server, a collector, a notifier queue.
///
/// `run()` returns when its task is cancelled; a service group starts services as child tasks and
/// cancels them in reverse order on shutdown.
public protocol Service: Sendable {
    var name: String { get }
    func run() async throws
}
