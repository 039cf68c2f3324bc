import Foundation
import Glibc
import ZCCore

/// One client socket. Used only on the client's event loop.
final class ClientConnection: @unchecked Sendable {
    let fd: Int32
    let endpoint: HTTPEndpoint
    let loop: EventLoop
    /// Came from the idle pool (may have been closed by the server meanwhile).
    let reused: Bool
    private(set) var open = true

    init(fd: Int32, endpoint: HTTPEndpoint, loop: EventLoop, reused: Bool) {
        self.fd = fd
        self.endpoint = endpoint
        self.loop = loop
        self.reused = reused
    }

    /// Opens a non-blocking connection within `timeout`.
    static func connect(to endpoint: HTTPEndpoint, loop: EventLoop, timeout: Duration) async throws -> ClientConnection
    {
        let fd: Int32
        var status: Int32
        switch endpoint {
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                throw HTTPClientError.connectFailed(endpoint: endpoint.description, reason: "socket failed")
            }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                Glibc.close(fd)
                throw HTTPClientError.connectFailed(
                    endpoint: endpoint.description, reason: "the socket path is too long")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else {
                throw HTTPClientError.connectFailed(endpoint: endpoint.description, reason: "cannot resolve \(host)")
            }
            defer { freeaddrinfo(result) }
            fd = socket(
                info.pointee.ai_family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                throw HTTPClientError.connectFailed(endpoint: endpoint.description, reason: "socket failed")
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            status = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        }
        let connection = ClientConnection(fd: fd, endpoint: endpoint, loop: loop, reused: false)
        if status != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EAGAIN else {
                connection.close()
                throw HTTPClientError.connectFailed(
                    endpoint: endpoint.description, reason: String(cString: strerror(code)))
            }
        }
        do {
            try loop.register(fd)
        } catch {
            connection.close()
            throw HTTPClientError.connectFailed(endpoint: endpoint.description, reason: "\(error)")
        }
        if status != 0 {
            do {
                try await loop.waitWritable(fd, deadline: MonotonicClock.deadline(after: timeout))
            } catch is SocketTimeout {
                connection.close()
                throw HTTPClientError.timedOut("connecting to \(endpoint)")
            } catch {
                connection.close()
                throw error
            }
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
            guard failure == 0 else {
                connection.close()
                throw HTTPClientError.connectFailed(
                    endpoint: endpoint.description, reason: String(cString: strerror(failure)))
            }
        }
        return connection
    }

    /// Sends every byte within `timeout`.
    func send(_ bytes: [UInt8], timeout: Duration) async throws {
        var offset = 0
        let deadline = MonotonicClock.deadline(after: timeout)
        while offset < bytes.count {
            let result = try bytes.withUnsafeBytes {
                try Socket.write(fd, UnsafeRawBufferPointer(rebasing: $0[offset...]))
            }
            switch result {
            case .done(let count): offset += count
            case .closed: throw HTTPClientError.connectionClosed
            case .wouldBlock:
                do {
                    try await loop.waitWritable(fd, deadline: deadline)
                } catch is SocketTimeout {
                    throw HTTPClientError.timedOut("sending the request to \(endpoint)")
                }
            }
        }
    }

    /// Reads what is available, waiting up to `timeout` for the first byte; nil at end of input.
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) async throws -> Int? {
        let deadline = MonotonicClock.deadline(after: timeout)
        while true {
            switch try Socket.read(fd, into: buffer) {
            case .done(let count): return count
            case .closed: return nil
            case .wouldBlock:
                do {
                    try await loop.waitReadable(fd, deadline: deadline)
                } catch is SocketTimeout {
                    throw HTTPClientError.timedOut("waiting for \(endpoint) to answer")
                }
            }
        }
    }

    /// Whether an idle pooled connection still looks usable (the server has not closed it).
    func looksAlive() -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) == 0
    }

    func close() {
        guard open else { return }
        open = false
        if loop.inLoop {
            loop.deregister(fd)
            Glibc.close(fd)
        } else {
            let fd = self.fd
            let loop = self.loop
            loop.execute {
                loop.deregister(fd)
                Glibc.close(fd)
            }
        }
    }
}
