/// `HTTP/1.1` or `HTTP/1.0`: the only versions this server speaks.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public let major: Int
    public let minor: Int

    public static let http1_1 = HTTPVersion(major: 1, minor: 1)
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)

    public var description: String { "HTTP/\(major).\(minor)" }
}
