import Synchronization
import ZCCore

/// Runs a delivery attempt's blocking socket work on a thread of its own (`DedicatedThread`), never on
/// Swift's cooperative pool or a dispatch global queue, and awaits it.
///
/// Cancelling the awaiting task sets the attempt's `CancellationFlag`; the attempt notices within a fraction
/// of a second and ends with `CancellationError`. The caller always waits for the thread to finish: nothing
/// is left running after `run` returns.
enum DeliveryThread {
    static func run(_ body: @escaping @Sendable (CancellationFlag) throws -> Void) async throws {
        try Task.checkCancellation()
        let flag = CancellationFlag()
        let result: Result<Void, any Error> = await withTaskCancellationHandler {
            await DedicatedThread.run("zcplatform-mail") { Result { try body(flag) } }
        } onCancel: {
            flag.cancel()
        }
        try result.get()
    }
}

/// Set when the task awaiting a delivery attempt is cancelled; the attempt's thread checks it while it waits
/// on the socket and gives up within a fraction of a second.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    var isCancelled: Bool { flag.load(ordering: .relaxed) }

    func cancel() { flag.store(true, ordering: .relaxed) }
}
