/// A periodic job of the platform (resource, usage, health). Runs until its task is cancelled.
///
/// `name` is what operators see in logs, metrics and configuration (`resource`, `usage`, `health`).
public protocol Collector: Service {}
