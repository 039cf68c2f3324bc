import Dispatch
import Synchronization

/// Runs a delivery attempt's blocking socket work on a dispatch thread, never on Swift's cooperative pool
/// (whose few threads every other task needs), and awaits it.
///
/// Cancelling the awaiting task sets the attempt's `CancellationFlag`; the attempt notices within a fraction
/// of a second and ends with `CancellationError`. The caller always waits for the thread to finish: nothing
/// is left running after `run` returns.
enum DeliveryThread {
    static func run(_ body: @escaping @Sendable (CancellationFlag) throws -> Void) async throws {
        try Task.checkCancellation()
        let flag = CancellationFlag()
        let result: Result<Void, any Error> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(returning: Result { try body(flag) })
                }
            }
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
