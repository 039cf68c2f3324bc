/// Where a request goes: a TCP host and port, or a unix socket (the Docker Engine API).
public enum HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    public var description: String {
        switch self {
        case .tcp(let host, let port): "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// The Host header to send.
    var hostHeader: String {
        switch self {
        case .tcp(let host, let port): port == 80 ? host : "\(host):\(port)"
        case .unix: "localhost"
        }
    }
}
