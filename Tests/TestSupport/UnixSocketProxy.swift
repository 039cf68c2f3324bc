import Foundation
import Synchronization

/// A unix socket that forwards every connection to another (the test dockerd), and can be cut: `stop()`
/// closes the listener and every forwarded connection mid-stream, exactly what a client sees when the
/// daemon dies; `start()` brings it back on the same path. Threads and blocking I/O, test use only.
public final class UnixSocketProxy: Sendable {
    public let path: String
    public let upstream: String
    private let state = Mutex<(listener: Int32, connections: Set<Int32>)>((-1, []))

    public init(path: String, upstream: String) {
        self.path = path
        self.upstream = upstream
    }

    public func start() throws {
        unlink(path)
        let listener = try Self.socket(path, listen: true)
        state.withLock { $0.listener = listener }
        let thread = Thread { [self] in
            SocketRelaying.accept(on: listener) { client in
                guard let server = try? Self.socket(upstream, listen: false) else {
                    close(client)
                    return
                }
                state.withLock { $0.connections.formUnion([client, server]) }
                SocketRelaying.relay(client, server) { [self] in
                    state.withLock { $0.connections.subtract([client, server]) }
                }
            }
        }
        thread.start()
    }

    /// Cuts every connection and stops listening.
    public func stop() {
        // Shut down, not closed, and under the lock: the accepting thread closes the listener, and each
        // relay closes its pair only after removing it from the set under the lock, so no descriptor is
        // shut down after its number was given to someone else.
        state.withLock { state in
            if state.listener >= 0 { shutdown(state.listener, Int32(SHUT_RDWR)) }
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
            state.listener = -1
        }
        unlink(path)
    }

    private static func socket(_ path: String, listen shouldListen: Bool) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        return try SocketRelaying.open(family: AF_UNIX, address, listen: shouldListen)
    }
}
