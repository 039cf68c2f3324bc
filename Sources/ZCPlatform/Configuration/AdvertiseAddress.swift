import Foundation

/// `cluster.advertise_address`: where the other nodes reach this node's API, as `host:port`.
///
/// Operators write it as `host:port` (`10.0.0.5:8080`, `node-a.internal:8080`, `[fd00::5]:8080`) or as a
/// URL (`http://10.0.0.5:8080`, with or without a trailing `/`), as many tools take it; both mean the same
/// and are kept as `host:port`. Anything the other nodes could not use is refused at start, naming the
/// key: another scheme (nodes forward to each other over plain HTTP on their own network), a path, a
/// missing or out-of-range port, a wildcard host, a bare IPv6 address without brackets.
public struct AdvertiseAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `text` as the operator wrote it under `key`.
    public static func parse(_ text: String, key: String) throws(ConfigurationError) -> AdvertiseAddress {
        func refuse(_ why: String) -> ConfigurationError {
            ConfigurationError(
                "\(key) = \"\(text)\" \(why); write host:port as the other nodes reach this node (10.0.0.5:8080, node-a.internal:8080, [fd00::5]:8080) or http://host:port"
            )
        }
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if let scheme = rest.range(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                throw refuse(
                    name == "https"
                        ? "uses https, but nodes forward to each other over plain HTTP on their own network"
                        : "has the scheme \(name)://, not http://")
            }
            rest = rest[scheme.upperBound...]
            if rest.hasSuffix("/") { rest = rest.dropLast() }
        }
        guard !rest.isEmpty else { throw refuse("is empty") }
        if rest.contains(where: { "/?#@ ".contains($0) }) {
            throw refuse("holds more than a host and a port (a path, a query, a user or a space)")
        }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw refuse("opens an IPv6 bracket it does not close") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { throw refuse("has no port") }
            portText = after.dropFirst()
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw refuse("has brackets around something that is not an IPv6 address")
            }
        } else {
            let colons = rest.filter { $0 == ":" }.count
            guard colons > 0 else { throw refuse("has no port") }
            guard colons == 1, let colon = rest.firstIndex(of: ":") else {
                throw refuse("looks like an IPv6 address without brackets")
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) })
            else { throw refuse("has a host that is not a name or an address") }
        }
        guard let port = Int(portText), portText.allSatisfy(\.isNumber), (1...65_535).contains(port) else {
            throw refuse("has a port that is not a number from 1 to 65535")
        }
        let address = AdvertiseAddress(host: String(host), port: port)
        guard !address.isWildcard else {
            throw refuse("is a wildcard address, which no other node can reach")
        }
        return address
    }

    /// 0.0.0.0 or ::, which a server listens on but nobody connects to.
    var isWildcard: Bool {
        host == "0.0.0.0" || host.allSatisfy { $0 == ":" || $0 == "0" }
    }
}
