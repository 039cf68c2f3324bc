import Foundation
import Glibc
import Synchronization

/// What the test relays (`UnixSocketProxy`, `TCPRelay`) share: opening a socket on an address, and copying
/// a connection's bytes both ways on two threads. Blocking I/O: test use only.
enum SocketRelaying {
    /// A new stream socket of `family` bound and listening on `address`, or connected to it; closed and
    /// thrown on failure.
    static func open<Address>(family: Int32, _ address: Address, listen shouldListen: Bool) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if shouldListen, family == AF_INET {
            var reuse: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = address
        let length = socklen_t(MemoryLayout<Address>.size)
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

    /// Accepts connections on `listener` and hands each to `each`, until the listener is shut down; then
    /// closes it. Closing it is the accepting thread's alone, so no `accept` ever runs on a number that
    /// was closed and given to someone else meanwhile (its owner shuts it down, under its lock).
    static func accept(on listener: Int32, each: (Int32) -> Void) {
        while true {
            let client = Glibc.accept(listener, nil, nil)
            if client < 0 && errno == EINTR { continue }
            guard client >= 0 else {
                close(listener)
                return
            }
            each(client)
        }
    }

    /// Copies `a` to `b` and `b` to `a`, each on a thread of its own. A direction waits before writing
    /// while `hold(from)` says so. When both directions have ended, `ended` runs and both descriptors are
    /// closed, once.
    static func relay(
        _ a: Int32, _ b: Int32, hold: @escaping @Sendable (Int32) -> Bool = { _ in false },
        ended: @escaping @Sendable () -> Void
    ) {
        let count = EndCount()
        for (from, to) in [(a, b), (b, a)] {
            Thread {
                pump(from, to, hold: hold)
                if count.value.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
                    ended()
                    close(from)
                    close(to)
                }
            }.start()
        }
    }

    private static func pump(_ from: Int32, _ to: Int32, hold: (Int32) -> Bool) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            while hold(from) { usleep(10_000) }
            var sent = 0
            while sent < count {
                // MSG_NOSIGNAL: a peer gone away is an error here, not a SIGPIPE that ends the test process.
                let written = buffer[sent..<count].withUnsafeBytes {
                    send(to, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard written > 0 else { break }
                sent += written
            }
            guard sent == count else { break }
        }
        shutdown(to, Int32(SHUT_WR))
    }
}

private final class EndCount: Sendable {
    let value = Atomic<Int>(0)
}
