import Foundation
import Synchronization

/// A TCP port on 127.0.0.1 that nothing listens on at the moment of asking.
///
/// Ports come from 12000–19999, below the kernel's ephemeral range (32768 and up): a port the kernel
/// picked would be handed out again to any outgoing connection (the collectors make many) before the
/// agent binds it. Each call moves on through the range, so tests of one run never get the same port.
public enum FreePort {
    private static let cursor = Atomic<Int>(Int.random(in: 0..<8000))

    public static func next() -> Int {
        for _ in 0..<8000 {
            let port = 12_000 + cursor.add(1, ordering: .relaxed).oldValue % 8000
            if isFree(port) { return port }
        }
        return 0
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
