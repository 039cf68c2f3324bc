/// Delivers notifications in the background, in order: `send` returns at once, so an API answer never
/// waits for a mail server, nor tells by its timing or its failure whether a message was sent (a login
/// code is mailed only to users that exist). `run()` delivers until cancelled. At most `capacity` wait;
/// beyond, the oldest is dropped and logged.
public final class NotificationQueue: Notifier, Service {
    public let name = "notification-queue"
    let notifier: any Notifier
    let logger: Logger
    private let stream: AsyncStream<Notification>
    private let continuation: AsyncStream<Notification>.Continuation

    public init(_ notifier: any Notifier, capacity: Int = 1000, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(
            of: Notification.self, bufferingPolicy: .bufferingNewest(max(1, capacity)))
    }

    public func send(_ notification: Notification) async throws {
        if case .dropped(let oldest) = continuation.yield(notification) {
            logger.warning("notification.dropped", ["kind": oldest.kind.rawValue, "reason": "the queue is full"])
        }
    }

    public func run() async throws {
        for await notification in stream {
            do {
                try await notifier.send(notification)
            } catch is CancellationError {
                return
            } catch {
                // The error names the server and its reply, never the message (it may hold a code).
                logger.error(
                    "notification.failed",
                    ["kind": notification.kind.rawValue, "notifier": notifier.name, "error": "\(error)"])
            }
        }
    }
}
