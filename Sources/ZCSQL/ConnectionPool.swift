import Synchronization
import ZCCore

/// A fixed set of connections lent one borrower at a time; borrowers beyond the set wait in order.
///
/// A waiter whose task is cancelled stops waiting at once. After `close()` every borrower fails with
/// `StoreError.closed`.
public final class ConnectionPool<Connection: Sendable>: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Connection, any Error>
    }

    private struct State {
        var idle: [Connection]
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
        var all: [Connection]
    }

    private let state: Mutex<State>

    public init(_ connections: [Connection]) {
        state = Mutex(State(idle: connections, all: connections))
    }

    /// Every connection of the pool, lent or not (for closing them).
    public var connections: [Connection] { state.withLock { $0.all } }

    public func withConnection<R>(_ body: (Connection) async throws -> R) async throws -> R {
        let connection = try await acquire()
        defer { release(connection) }
        return try await body(connection)
    }

    public func acquire() async throws -> Connection {
        if let ready = try state.withLock({ state -> Connection? in
            if state.closed { throw StoreError(.closed, "the store is closed") }
            return state.idle.popLast()
        }) {
            return ready
        }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let outcome = state.withLock { state -> Result<Connection, any Error>? in
                    if state.closed { return .failure(StoreError(.closed, "the store is closed")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if let ready = state.idle.popLast() { return .success(ready) }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    public func release(_ connection: Connection) {
        let waiter = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: connection)
    }

    /// Refuses new borrowers and fails the waiting ones. Lent connections come back as usual.
    public func close() {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: StoreError(.closed, "the store is closed")) }
    }
}
