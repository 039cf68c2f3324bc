import Dispatch

/// A serial executor on its own dispatch queue, for actors whose work blocks in C (a database call that
/// waits on a lock or on the disk). Blocking there keeps Swift's small cooperative pool free.
public final class BlockingExecutor: SerialExecutor {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
