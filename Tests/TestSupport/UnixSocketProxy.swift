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
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 && errno == EINTR { continue }
                guard client >= 0 else {
                    // `stop()` shut the listener down; closing it is this thread's, so no `accept` ever
                    // runs on a number that was closed and given to someone else meanwhile.
                    close(listener)
                    return
                }
                guard let server = try? Self.socket(upstream, listen: false) else {
                    close(client)
                    continue
                }
                state.withLock { $0.connections.formUnion([client, server]) }
                let ended = EndCount()
                for (from, to) in [(client, server), (server, client)] {
                    Thread { [self] in
                        self.pump(from, to)
                        // The second direction to end closes both descriptors, once.
                        if ended.value.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
                            state.withLock { $0.connections.subtract([from, to]) }
                            close(from)
                            close(to)
                        }
                    }.start()
                }
            }
        }
        thread.start()
    }

    /// Cuts every connection and stops listening.
    public func stop() {
        let (listener, connections) = state.withLock { state in
            defer { state = (-1, []) }
            return (state.listener, state.connections)
        }
        // Shut down, which ends the accepting thread's `accept`; that thread closes it.
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
        // Shut down, not closed: each pump closes its own pair when both directions have ended.
        for fd in connections { shutdown(fd, Int32(SHUT_RDWR)) }
        unlink(path)
    }

    private func pump(_ from: Int32, _ to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { write(to, $0.baseAddress, $0.count) }
                guard written > 0 else { break }
                sent += written
            }
            guard sent == count else { break }
        }
        shutdown(to, Int32(SHUT_WR))
    }

    private static func socket(_ path: String, listen shouldListen: Bool) throws -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                shouldListen ? bind(fd, $0, length) : connect(fd, $0, length)
            }
        }
        guard result == 0, !shouldListen || listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return fd
    }
}

private final class EndCount: Sendable {
    let value = Atomic<Int>(0)
}
