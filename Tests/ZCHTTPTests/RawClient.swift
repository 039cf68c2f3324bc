import Foundation
import Glibc
import ZCCore

/// A deliberately dumb client over a real TCP socket: it sends exactly the bytes given and reads
/// whatever comes back, so tests can speak malformed and hostile HTTP.
final class RawClient: @unchecked Sendable {
    let fd: Int32

    /// - Parameter source: the local address to connect from (another loopback address is another client).
    /// The socket is kept in `fd` only once connected: a throw before then must close it exactly once,
    /// here, since `deinit` runs for an object whose stored properties are all set, thrown or not, and a
    /// second `close` would close a descriptor another thread has been given meanwhile.
    init(port: Int, from source: String? = nil) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Closes the sending half: the server sees end of input but can still answer.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until `until` is satisfied by what arrived, the server closes, or `timeout` passes. The
    /// blocking poll runs on a dispatch thread, never on one of Swift's few cooperative threads.
    func read(
        timeout: Double = 5, until: @escaping @Sendable (String) -> Bool = { _ in false }
    ) async -> (
        text: String, closed: Bool
    ) {
        await withCheckedContinuation { continuation in
            DedicatedThread.start("test-raw-read") {
                continuation.resume(returning: self.blockingRead(timeout: timeout, until: until))
            }
        }
    }

    private func blockingRead(timeout: Double, until: (String) -> Bool) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, remaining) > 0 else { break }
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received.append(contentsOf: buffer[0..<count])
            if until(String(decoding: received, as: UTF8.self)) { break }
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Reads `count` complete responses with Content-Length bodies.
    func responses(_ count: Int, timeout: Double = 5) async -> [RawResponse] {
        let (text, _) = await read(timeout: timeout) { RawResponse.parseAll($0).count >= count }
        return RawResponse.parseAll(text)
    }
}

/// A response read back by `RawClient`: enough to check status, fields and body.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: String

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Every complete response in `text` (Content-Length or chunked bodies).
    static func parseAll(_ text: String) -> [RawResponse] {
        var responses: [RawResponse] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let lines = rest[..<headEnd.lowerBound].components(separatedBy: "\r\n")
            guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1."),
                let status = Int(statusLine.split(separator: " ")[1])
            else { break }
            let headers = lines.dropFirst().compactMap { line -> (String, String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            var response = RawResponse(status: status, headers: headers, body: "")
            var after = rest[headEnd.upperBound...]
            if status == 100 {
                rest = after
                responses.append(response)
                continue
            }
            if let length = response.header("Content-Length").flatMap(Int.init) {
                guard after.utf8.count >= length else { break }
                let bodyEnd = after.utf8.index(after.startIndex, offsetBy: length)
                response.body = String(after[..<bodyEnd])
                after = after[bodyEnd...]
            } else if response.header("Transfer-Encoding") == "chunked" {
                var body = ""
                var complete = false
                while let lineEnd = after.range(of: "\r\n"), let size = Int(after[..<lineEnd.lowerBound], radix: 16) {
                    let dataStart = lineEnd.upperBound
                    guard after[dataStart...].utf8.count >= size + 2 else { break }
                    let dataEnd = after.utf8.index(dataStart, offsetBy: size)
                    body += after[dataStart..<dataEnd]
                    after = after[after.utf8.index(dataEnd, offsetBy: 2)...]
                    if size == 0 {
                        complete = true
                        break
                    }
                }
                guard complete else { break }
                response.body = body
            }
            responses.append(response)
            rest = after
        }
        return responses
    }
}
