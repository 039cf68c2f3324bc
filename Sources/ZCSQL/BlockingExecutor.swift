import Dispatch

/// A serial executor on its own dispatch queue, for actors whose work blocks in C (a database call that
/// waits on a lock or on the disk). Blocking there keeps Swift's small cooperative pool and the HTTP
/// event loops free.
///
/// It is also a task executor: a store session prefers it for its whole body (`SQLStore`), so the
/// body's code and its statements (on the connection actor, whose serial executor this is) run on one
/// queue, each statement a push onto the queue the thread is already draining instead of two thread
/// wake-ups. A session crosses threads once on the way in and once on the way out.
public final class BlockingExecutor: SerialExecutor, TaskExecutor {
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

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }
}
