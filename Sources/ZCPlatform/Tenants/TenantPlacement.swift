import Foundation
import ZCCore

/// Chooses a tenant's host port and uid from the configured ranges: the lowest not held by another
/// tenant (the store's unique constraints are the final word when two deploys race) and, for ports, not
/// taken on this host by something else.
struct TenantPlacement: Sendable {
    let ports: ClosedRange<Int>
    let uids: ClosedRange<Int>

    struct Exhausted: Error, PublicError {
        let what: String
        var failureKind: FailureKind { .unavailable }
        var publicMessage: String { "no free \(what) is left in the configured range" }
    }

    /// A port and uid for `tenant`; what it already holds is kept. `skipPorts` are ports that lost a race.
    func choose(
        for tenant: Tenant, among tenants: [Tenant], nodeID: String, skipPorts: Set<Int> = []
    )
        throws(Exhausted) -> (port: Int, uid: Int)
    {
        let others = tenants.filter { $0.id != tenant.id }
        let takenPorts = Set(others.filter { $0.nodeID == nodeID }.compactMap(\.hostPort)).union(skipPorts)
        let takenUIDs = Set(others.compactMap(\.uid))
        var port = tenant.hostPort.flatMap { takenPorts.contains($0) ? nil : $0 }
        if port == nil {
            port = ports.first { !takenPorts.contains($0) && Self.isFree($0) }
        }
        guard let port else { throw Exhausted(what: "host port") }
        var uid = tenant.uid.flatMap { takenUIDs.contains($0) ? nil : $0 }
        if uid == nil { uid = uids.first { !takenUIDs.contains($0) } }
        guard let uid else { throw Exhausted(what: "uid") }
        return (port, uid)
    }

    /// Whether nothing on this host listens on `port` (on loopback or on every address).
    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
