import Synchronization
import ZCCore

/// Runs services side by side until the group's task is cancelled or one service stops; then cancels
/// them in reverse order of start, each awaited before the next, so later services (which use earlier
/// ones) are gone before what they use. Rethrows the first service failure.
public struct ServiceGroup: Sendable {
    public let services: [any Service]
    let logger: Logger

    public init(services: [any Service], logger: Logger) {
        self.services = services
        self.logger = logger
    }

    public func run() async throws {
        guard !services.isEmpty else {
            // Nothing to run: wait for cancellation like any service would.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        let (ended, endedContinuation) = AsyncStream<Int>.makeStream()
        var tasks: [Task<Void, any Error>] = []
        for (index, service) in services.enumerated() {
            logger.info("service.starting", ["service": service.name])
            tasks.append(
                Task {
                    defer { endedContinuation.yield(index) }
                    try await service.run()
                })
        }
        var firstEnded: Int?
        await withTaskCancellationHandler {
            for await index in ended {
                firstEnded = index
                break
            }
        } onCancel: {
            endedContinuation.finish()
        }
        if let firstEnded, !Task.isCancelled {
            logger.warning("service.ended", ["service": services[firstEnded].name])
        }
        var failure: (any Error)?
        for (index, task) in tasks.enumerated().reversed() {
            task.cancel()
            let result = await task.result
            if case .failure(let error) = result, !(error is CancellationError) {
                logger.error("service.failed", ["service": services[index].name, "error": String(describing: error)])
                if failure == nil { failure = error }
            } else {
                logger.info("service.stopped", ["service": services[index].name])
            }
        }
        endedContinuation.finish()
        if let failure { throw failure }
    }
}
