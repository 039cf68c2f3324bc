import CEpoll
import Foundation
import Glibc
import Synchronization
import ZCCore

/// One thread running epoll, which is also a Swift task executor: tasks created with this loop as
/// their executor preference run here, so a connection's code reads, parses, calls its handler and
/// writes without hopping threads. A read or write that would block suspends the task until epoll
/// reports the socket ready (or its deadline passes).
///
/// Registration is edge-triggered; each socket keeps "became readable/writable" flags, so an edge that
/// arrives before the task waits is never lost (at worst a wait returns at once and the read finds
/// nothing yet).
public final class EventLoop: TaskExecutor, @unchecked Sendable {
    private let epoll: Int32
    private let wake: Int32
    private let name: String

    /// Cross-thread inbox: jobs to run and callbacks to call on the loop.
    private struct Inbox {
        var jobs: [UnownedJob] = []
        var callbacks: [@Sendable () -> Void] = []
        var wakePending = false
        var stopped = false
    }

    private let inbox = Mutex(Inbox())
    /// Callers of `shutdown()` waiting for the thread to end.
    private let done = Mutex<[CheckedContinuation<Void, Never>]>([])
    private let finished = Atomic<Bool>(false)
    private let threadID = Atomic<UInt>(0)

    // Loop-thread state: touched only on the loop's thread.
    private final class Registration {
        var readable = false
        var writable = false
        var reader: UnsafeContinuation<Void, any Error>?
        var writer: UnsafeContinuation<Void, any Error>?
        var readerGeneration: UInt64 = 0
        var writerGeneration: UInt64 = 0
        /// Monotonic deadlines of the current waits, if they have one.
        var readDeadline: UInt64?
        var writeDeadline: UInt64?
    }

    private var registrations: [Int32: Registration] = [:]
    private var generation: UInt64 = 0
    /// When the next sweep for expired deadlines is due (`UInt64.max`: no deadline pending). Deadlines
    /// live on their registrations, so a wait allocates nothing and a finished wait leaves nothing behind.
    private var nextSweep: UInt64 = .max
    private var lastSweep: UInt64 = 0
    /// Sweeps run at most this often, bounding their cost with many connections.
    private let sweepInterval: UInt64 = 10_000_000

    public init(name: String) throws {
        self.name = name
        // Both descriptors are kept in the loop only once they work: `deinit` closes them, and it runs
        // for an object whose stored properties are all set even when `init` throws afterwards, so a
        // failure here closes what it made itself, once, before they are stored.
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw SocketError("epoll_create1") }
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wake >= 0 else {
            close(epoll)
            throw SocketError("eventfd")
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wake
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event) == 0 else {
            close(wake)
            close(epoll)
            throw SocketError("epoll_ctl")
        }
        self.epoll = epoll
        self.wake = wake
        // The thread holds the loop until the loop ends.
        let thread = Thread { self.runLoop() }
        thread.name = name
        thread.start()
    }

    deinit {
        close(wake)
        close(epoll)
    }

    /// Whether the caller runs on this loop's thread.
    public var inLoop: Bool { threadID.load(ordering: .acquiring) == UInt(bitPattern: Int(bitPattern: pthread_self())) }

    // MARK: TaskExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let needsWake = inbox.withLock { inbox -> Bool in
            inbox.jobs.append(job)
            defer { inbox.wakePending = true }
            return !inbox.wakePending
        }
        if needsWake, !inLoop { signal() }
    }

    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Runs `callback` on the loop's thread soon.
    public func execute(_ callback: @escaping @Sendable () -> Void) {
        let needsWake = inbox.withLock { inbox -> Bool in
            inbox.callbacks.append(callback)
            defer { inbox.wakePending = true }
            return !inbox.wakePending
        }
        if needsWake, !inLoop { signal() }
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// Asks the loop's thread to end once its inbox is drained, without waiting.
    public func requestStop() {
        inbox.withLock { $0.stopped = true }
        signal()
    }

    /// Ends the loop's thread once its inbox is drained; waits until it has ended. Calling it again, or
    /// after the loop ended, returns at once.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            let ended = done.withLock { waiting -> Bool in
                if finished.load(ordering: .acquiring) { return true }
                waiting.append(continuation)
                return false
            }
            if ended {
                continuation.resume()
                return
            }
            inbox.withLock { $0.stopped = true }
            signal()
        }
    }

    // MARK: Sockets (call on the loop's thread)

    /// Watches `fd` for readiness until `deregister`.
    func register(_ fd: Int32) throws {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.fd = fd
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else { throw SocketError("epoll_ctl(ADD)") }
        registrations[fd] = Registration()
    }

    /// Stops watching `fd`; a task waiting on it is resumed with `CancellationError`.
    func deregister(_ fd: Int32) {
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        guard let registration = registrations.removeValue(forKey: fd) else { return }
        registration.reader?.resume(throwing: CancellationError())
        registration.writer?.resume(throwing: CancellationError())
    }

    /// Suspends until `fd` may be readable, `deadline` (monotonic ns) passes, or the task is cancelled.
    func waitReadable(_ fd: Int32, deadline: UInt64?) async throws {
        try await wait(fd, deadline: deadline, forWrite: false)
    }

    func waitWritable(_ fd: Int32, deadline: UInt64?) async throws {
        try await wait(fd, deadline: deadline, forWrite: true)
    }

    private func wait(_ fd: Int32, deadline: UInt64?, forWrite: Bool) async throws {
        guard let registration = registrations[fd] else { throw CancellationError() }
        if forWrite ? registration.writable : registration.readable {
            if forWrite { registration.writable = false } else { registration.readable = false }
            return
        }
        try Task.checkCancellation()
        generation += 1
        let ticket = generation
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                if forWrite {
                    registration.writer = continuation
                    registration.writerGeneration = ticket
                    registration.writeDeadline = deadline
                } else {
                    registration.reader = continuation
                    registration.readerGeneration = ticket
                    registration.readDeadline = deadline
                }
                if let deadline { nextSweep = min(nextSweep, max(deadline, lastSweep + sweepInterval)) }
            }
        } onCancel: {
            self.execute { self.cancelWait(fd, ticket: ticket) }
        }
    }

    /// Wakes every task waiting to read with `ShutdownInterrupt`: listeners stop accepting, idle
    /// connections close, and connections in the middle of a request wait again.
    func interruptReaders() {
        for registration in registrations.values {
            if let reader = registration.reader {
                registration.reader = nil
                reader.resume(throwing: ShutdownInterrupt())
            }
        }
    }

    private func cancelWait(_ fd: Int32, ticket: UInt64) {
        guard let registration = registrations[fd] else { return }
        if registration.readerGeneration == ticket, let reader = registration.reader {
            registration.reader = nil
            reader.resume(throwing: CancellationError())
        }
        if registration.writerGeneration == ticket, let writer = registration.writer {
            registration.writer = nil
            writer.resume(throwing: CancellationError())
        }
    }

    /// Resumes the waits whose deadline passed with `SocketTimeout`, and schedules the next sweep.
    private func sweepDeadlines() {
        let now = MonotonicClock.now()
        lastSweep = now
        var next = UInt64.max
        for registration in registrations.values {
            if let deadline = registration.readDeadline, let reader = registration.reader {
                if deadline <= now {
                    registration.reader = nil
                    registration.readDeadline = nil
                    reader.resume(throwing: SocketTimeout())
                } else {
                    next = min(next, deadline)
                }
            }
            if let deadline = registration.writeDeadline, let writer = registration.writer {
                if deadline <= now {
                    registration.writer = nil
                    registration.writeDeadline = nil
                    writer.resume(throwing: SocketTimeout())
                } else {
                    next = min(next, deadline)
                }
            }
        }
        nextSweep = next == .max ? .max : max(next, now + sweepInterval)
    }

    // MARK: The loop

    private func runLoop() {
        threadID.store(UInt(bitPattern: Int(bitPattern: pthread_self())), ordering: .releasing)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        let executor = asUnownedTaskExecutor()
        while true {
            let (jobs, callbacks, stopped) = inbox.withLock { inbox in
                defer {
                    inbox.jobs.removeAll(keepingCapacity: true)
                    inbox.callbacks.removeAll(keepingCapacity: true)
                    inbox.wakePending = false
                }
                return (inbox.jobs, inbox.callbacks, inbox.stopped)
            }
            for callback in callbacks { callback() }
            for job in jobs { job.runSynchronously(on: executor) }
            if stopped, jobs.isEmpty, callbacks.isEmpty { break }

            let pending = inbox.withLock { !$0.jobs.isEmpty || !$0.callbacks.isEmpty }
            var timeout: Int32 = -1
            if pending || stopped {
                // A stopping loop never sleeps: it drains what is left and ends.
                timeout = 0
            } else if nextSweep != .max {
                let now = MonotonicClock.now()
                timeout = nextSweep <= now ? 0 : Int32(min(UInt64(Int32.max), (nextSweep - now) / 1_000_000 + 1))
            }
            // About to wait: what is kept open only while the loop is busy is closed, or kept a little
            // longer with a wait no longer than that.
            if timeout != 0, let until = EventLoopThread.runIdleHooks() {
                let now = MonotonicClock.now()
                let wait = until <= now ? 0 : Int32(min(UInt64(Int32.max), (until - now) / 1_000_000 + 1))
                timeout = timeout < 0 ? wait : min(timeout, wait)
            }
            let count = epoll_wait(epoll, &events, Int32(events.count), timeout)
            if count < 0, errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let event = events[index]
                let fd = event.data.fd
                if fd == wake {
                    var value: UInt64 = 0
                    _ = read(wake, &value, 8)
                    continue
                }
                guard let registration = registrations[fd] else { continue }
                let flags = event.events
                let failed = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
                if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 || failed {
                    if let reader = registration.reader {
                        registration.reader = nil
                        reader.resume()
                    } else {
                        registration.readable = true
                    }
                }
                if flags & EPOLLOUT.rawValue != 0 || failed {
                    if let writer = registration.writer {
                        registration.writer = nil
                        writer.resume()
                    } else {
                        registration.writable = true
                    }
                }
            }
            if nextSweep != .max, MonotonicClock.now() >= nextSweep { sweepDeadlines() }
        }
        for (fd, _) in registrations { deregister(fd) }
        let waiting = done.withLock { waiting in
            finished.store(true, ordering: .releasing)
            defer { waiting.removeAll() }
            return waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
