import Dispatch
import Foundation
import Glibc
import Synchronization
import ZCCore

/// The HTTP/1.1 server: one event loop per core, each with its own listening socket (SO_REUSEPORT),
/// one task per connection in a task group on its loop. `run()` serves until its task is cancelled, then
/// stops accepting, lets in-flight requests finish within `shutdownGrace`, and closes the rest.
public final class HTTPServer: Service {
    public let name = "http"
    let shared: Shared

    /// State every connection reads.
    final class Shared: Sendable {
        let configuration: HTTPServerConfiguration
        let responder: any HTTPResponder
        let observer: any HTTPServerObserver
        private let shuttingDown = Atomic<Bool>(false)
        private let open = Atomic<Int>(0)
        /// Open connections by client address, when a per-client cap is set.
        private let perClient = Mutex<[String: Int]>([:])

        init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, observer: any HTTPServerObserver) {
            self.configuration = configuration
            self.responder = responder
            self.observer = observer
        }

        var isShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }
        func beginShutdown() { shuttingDown.store(true, ordering: .releasing) }
        var openConnections: Int { open.load(ordering: .relaxed) }

        /// Counts a new connection from `client` unless a limit is reached; nil when it may be served.
        func connectionStarted(from client: String) -> ConnectionRefusal? {
            let now = open.add(1, ordering: .relaxed).newValue
            if now > configuration.maxConnections {
                open.subtract(1, ordering: .relaxed)
                return .serverFull
            }
            let cap = configuration.maxConnectionsPerClient
            guard cap > 0 else { return nil }
            let admitted = perClient.withLock { counts -> Bool in
                let held = counts[client, default: 0]
                guard held < cap else { return false }
                counts[client] = held + 1
                return true
            }
            if !admitted {
                open.subtract(1, ordering: .relaxed)
                return .clientCap
            }
            return nil
        }

        func connectionEnded(from client: String) {
            open.subtract(1, ordering: .relaxed)
            guard configuration.maxConnectionsPerClient > 0 else { return }
            perClient.withLock { counts in
                let held = counts[client, default: 1] - 1
                counts[client] = held > 0 ? held : nil
            }
        }

        /// Client addresses holding connections now (for tests).
        var clientsHoldingConnections: Int { perClient.withLock { $0.count } }
    }

    private let onListening: @Sendable (Int) -> Void
    private let listening = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, any Error>], failure: (any Error)?)>(
        (nil, [], nil))

    /// - Parameter onListening: called once with the port, when the server is ready for connections.
    public init(
        configuration: HTTPServerConfiguration, responder: any HTTPResponder,
        observer: any HTTPServerObserver = NoHTTPServerObserver(),
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        shared = Shared(configuration: configuration, responder: responder, observer: observer)
        self.onListening = onListening
    }

    /// Connections open now.
    public var openConnections: Int { shared.openConnections }

    /// The port once listening (useful with port 0); throws if binding failed.
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = listening.withLock { state -> Result<Int, any Error>? in
                if let port = state.port { return .success(port) }
                if let failure = state.failure { return .failure(failure) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func announce(_ result: Result<Int, any Error>) {
        let waiters = listening.withLock { state -> [CheckedContinuation<Int, any Error>] in
            switch result {
            case .success(let port): state.port = port
            case .failure(let error): state.failure = error
            }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    public func run() async throws {
        // Before any connection: the accept backoff's first sleep must not need a descriptor.
        await DispatchTimers.warm()
        let configuration = shared.configuration
        var loops: [EventLoop] = []
        var listeners: [Int32] = []
        do {
            for index in 0..<configuration.loops {
                let loop = try EventLoop(name: "zcplatform-http-\(index)")
                // The server's loops, and only they (not a client's), may answer short store reads on
                // their own thread: marked before any connection runs there.
                loop.execute { EventLoopThread.markCurrent() }
                loops.append(loop)
            }
            let first = try Socket.listen(
                host: configuration.host, port: configuration.port, reusePort: configuration.loops > 1)
            listeners.append(first.fd)
            for _ in 1..<max(1, configuration.loops) {
                listeners.append(try Socket.listen(host: configuration.host, port: first.port, reusePort: true).fd)
            }
            announce(.success(first.port))
            onListening(first.port)
        } catch {
            for fd in listeners { close(fd) }
            for loop in loops { await loop.shutdown() }
            announce(.failure(error))
            throw error
        }
        let shared = self.shared
        let pairs = Array(zip(loops, listeners))
        let allLoops = loops
        let worker = Task {
            await withDiscardingTaskGroup { group in
                for (loop, listener) in pairs {
                    group.addTask(executorPreference: loop) {
                        await Self.accept(on: listener, loop: loop, shared: shared)
                    }
                }
            }
        }
        await withTaskCancellationHandler {
            await worker.value
        } onCancel: {
            shared.beginShutdown()
            for loop in allLoops { loop.execute { loop.interruptReaders() } }
            let (seconds, attoseconds) = configuration.shutdownGrace.components
            let grace = Double(seconds) + Double(attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) { worker.cancel() }
        }
        for loop in loops { await loop.shutdown() }
    }

    /// The wait after `failures` failed accepts in a row: 10 ms doubling, at most `limit`.
    static func acceptBackoff(after failures: Int, limit: Duration) -> Duration {
        Backoff(initial: .milliseconds(10), limit: limit).delay(afterAttempt: failures)
    }

    /// Accepts connections on one loop until shutdown; each is served as a child task on the same loop.
    private static func accept(on listener: Int32, loop: EventLoop, shared: Shared) async {
        await withDiscardingTaskGroup { group in
            defer {
                loop.deregister(listener)
                close(listener)
            }
            do {
                try loop.register(listener)
            } catch {
                return
            }
            var failures = 0
            while !shared.isShuttingDown {
                do {
                    guard let fd = try Socket.accept(listener) else {
                        try await loop.waitReadable(listener, deadline: nil)
                        continue
                    }
                    if failures > 0 {
                        shared.observer.acceptRecovered(after: failures)
                        failures = 0
                    }
                    let client = Socket.peerAddress(fd)
                    if let refusal = shared.connectionStarted(from: client) {
                        shared.observer.connectionRefused(refusal)
                        close(fd)
                        continue
                    }
                    let connection = HTTPConnection(fd: fd, loop: loop, server: shared, remoteAddress: client)
                    group.addTask(executorPreference: loop) { await connection.serve() }
                } catch let error as SocketError {
                    // Out of descriptors or memory: the connection waits in the backlog while open ones
                    // finish and free what accept needs. Retrying at once would spin the loop.
                    failures += 1
                    let delay = Self.acceptBackoff(after: failures, limit: shared.configuration.acceptBackoffLimit)
                    shared.observer.acceptFailed(error, retryIn: delay, consecutive: failures)
                    do {
                        try await Task.sleep(for: delay)
                    } catch {
                        break
                    }
                } catch {
                    break
                }
            }
        }
    }
}
