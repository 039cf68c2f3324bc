import Foundation
import Synchronization

/// A TCP listener on a loopback address that forwards every connection to another address (PostgreSQL, a
/// peer node), and a link the test can cut two ways:
/// - `cut(.refuse)`: the listener closes and every forwarded connection is reset, as when the far side's
///   host is up but its process is gone (connection refused, at once);
/// - `cut(.silence)`: connections stay open but nothing crosses until `restore()` (what was sent then
///   arrives late, as TCP retransmits over a cut cable), and new ones are accepted and then hear nothing,
///   as on a dropped route: a client learns only from its own timeouts.
///
/// `restore()` forwards again on the same address; connections opened during a silence are reset then.
/// Threads and blocking I/O: test use only.
public final class TCPRelay: Sendable {
    public enum Cut: Sendable { case refuse, silence }

    public let host: String
    public let port: Int
    public let upstreamHost: String
    public let upstreamPort: Int

    private struct State {
        var listener: Int32 = -1
        var connections: Set<Int32> = []
        var silent = false
        /// Connections accepted while silent, never forwarded.
        var held: Set<Int32> = []
    }

    private let state = Mutex(State())

    public init(host: String, port: Int, upstreamHost: String, upstreamPort: Int) {
        self.host = host
        self.port = port
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
    }

    /// A started relay to the test PostgreSQL server, listening on `host` and a free port.
    public static func toPostgres(host: String = "127.0.0.1") throws -> TCPRelay {
        guard let components = URLComponents(string: try PostgresTestDatabase.requireURL()),
            let upstreamHost = components.host
        else { throw POSIXError(.EINVAL) }
        let relay = TCPRelay(
            host: host, port: FreePort.next(), upstreamHost: upstreamHost, upstreamPort: components.port ?? 5432)
        try relay.start()
        return relay
    }

    public func start() throws {
        let listener = try Self.socket(host, port, listen: true)
        state.withLock {
            $0.listener = listener
            $0.silent = false
        }
        Thread { [self] in accepting(listener) }.start()
    }

    /// Cuts the link; `restore()` undoes it.
    public func cut(_ how: Cut) {
        switch how {
        case .refuse:
            // Shut down, not closed, and under the lock: each descriptor's own thread removes it from the
            // sets under the lock before it closes it, so none is shut down after its number was reused.
            state.withLock { state in
                if state.listener >= 0 { shutdown(state.listener, Int32(SHUT_RDWR)) }
                state.listener = -1
                // Nothing is held past a refusal: the held bytes' connections are reset.
                state.silent = false
                for fd in state.connections.union(state.held) { Self.reset(fd) }
            }
        case .silence:
            state.withLock { $0.silent = true }
        }
    }

    /// Forwards again: after a refusal on the same address, after a silence what was held is reset.
    public func restore() throws {
        let listening = state.withLock { state in
            state.silent = false
            for fd in state.held { Self.reset(fd) }
            return state.listener >= 0
        }
        if !listening { try start() }
    }

    public func stop() {
        cut(.refuse)
    }

    private func accepting(_ listener: Int32) {
        SocketRelaying.accept(on: listener) { client in
            let silent = state.withLock { state in
                if state.silent { state.held.insert(client) }
                return state.silent
            }
            if silent {
                // Read and drop until restored (reset) or the client gives up.
                Thread { [self] in
                    self.drain(client)
                    state.withLock { _ = $0.held.remove(client) }
                    close(client)
                }.start()
                return
            }
            guard let server = try? Self.socket(upstreamHost, upstreamPort, listen: false) else {
                close(client)
                return
            }
            state.withLock { $0.connections.formUnion([client, server]) }
            // A silenced link holds what crosses it, as TCP does over a cut cable: delivered late, once
            // restored (unless a side gives up first).
            SocketRelaying.relay(
                client, server, hold: { [self] from in state.withLock { $0.silent && $0.connections.contains(from) } }
            ) { [self] in
                state.withLock { $0.connections.subtract([client, server]) }
            }
        }
    }

    private func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// Ends a connection as a vanished peer does: a reset, at once.
    private static func reset(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private static func socket(_ host: String, _ port: Int, listen shouldListen: Bool) throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr)
        return try SocketRelaying.open(family: AF_INET, address, listen: shouldListen)
    }
}
