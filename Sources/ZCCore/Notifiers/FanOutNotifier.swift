/// Sends every notification to several notifiers; one failing does not stop the others, and the
/// first failure is rethrown after all were tried.
public struct FanOutNotifier: Notifier {
    public let name = "fan-out"
    public let notifiers: [any Notifier]

    public init(_ notifiers: [any Notifier]) {
        self.notifiers = notifiers
    }

    public func send(_ notification: Notification) async throws {
        var failure: (any Error)?
        for notifier in notifiers {
            do {
                try await notifier.send(notification)
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
    }
}
