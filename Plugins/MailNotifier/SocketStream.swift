import Foundation
import Glibc

/// One non-blocking TCP socket to the SMTP server, every wait on it bounded by the attempt's deadline.
///
/// Made, used and closed by the one thread that runs a delivery attempt; never shared.
final class SocketStream {
    let server: String
    private let fd: Int32
    private let deadline: ContinuousClock.Instant
    /// The attempt's whole timeout, for the error text.
    private let timeout: Duration
    private let cancellation: CancellationFlag
    private var closed = false

    /// How often a wait looks at the cancellation flag.
    private static let slice: Duration = .milliseconds(200)

    private init(
        fd: Int32, server: String, deadline: ContinuousClock.Instant, timeout: Duration, cancellation: CancellationFlag
    ) {
        self.fd = fd
        self.server = server
        self.deadline = deadline
        self.timeout = timeout
        self.cancellation = cancellation
    }

    deinit { close() }

    /// Connects to the first of `host`'s addresses that accepts, before `deadline`.
    ///
    /// Name resolution is the system resolver's, bounded by its own timeouts rather than the deadline.
    static func connect(
        host: String, port: Int, server: String, deadline: ContinuousClock.Instant, timeout: Duration,
        cancellation: CancellationFlag
    ) throws -> SocketStream {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw MailError.unreachable(
                server: server, reason: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        var reason = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(
                info.pointee.ai_family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                reason = String(cString: strerror(errno))
                continue
            }
            let stream = SocketStream(
                fd: fd, server: server, deadline: deadline, timeout: timeout, cancellation: cancellation)
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return stream }
            guard errno == EINPROGRESS else {
                reason = String(cString: strerror(errno))
                continue
            }
            try stream.wait(for: Int16(POLLOUT))
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            if failure == 0 { return stream }
            reason = String(cString: strerror(failure))
        }
        throw MailError.unreachable(server: server, reason: reason)
    }

    /// Sends every byte, waiting for room as long as the deadline allows.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLOUT))
            default: throw MailError.connectionLost(server: server, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Whatever the server sent next (at least one byte), waiting as long as the deadline allows; throws
    /// `connectionLost` when the server closed the connection.
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { return Array(buffer[0..<count]) }
            if count == 0 {
                throw MailError.connectionLost(server: server, reason: "the server closed the connection")
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: Int16(POLLIN))
            default: throw MailError.connectionLost(server: server, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Sends what it can at once and drops the rest: for a TLS close_notify on the way out.
    func sendWithoutWaiting(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    /// Waits until the socket is ready for `events`; throws `timedOut` at the deadline and
    /// `CancellationError` once the delivery is cancelled.
    private func wait(for events: Int16) throws {
        while true {
            if cancellation.isCancelled { throw CancellationError() }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw MailError.timedOut(server: server, after: timeout) }
            let (seconds, attoseconds) = min(remaining, Self.slice).components
            let milliseconds = Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000) + 1
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0, errno != EINTR {
                throw MailError.connectionLost(server: server, reason: String(cString: strerror(errno)))
            }
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}
