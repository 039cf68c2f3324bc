import Foundation

/// A complete request: the head and its whole body (bodies are bounded by the server's limit).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target as sent, e.g. `/api/tenants?limit=10`.
    public var target: String
    /// The target's path, still percent-encoded.
    public var path: String
    /// The target's query, without `?`, still percent-encoded; nil when there is none.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:],
        body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        let parts = HTTPRequest.split(target)
        self.path = parts.path
        self.query = parts.query
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// Whether the connection stays open after the response (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if headers.hasToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.hasToken("keep-alive", in: "Connection") }
        return true
    }

    /// The decoded value of query parameter `name`, the first one given (empty when given empty).
    public func queryParameter(_ name: String) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = PercentEncoding.decode(parts[0], plusAsSpace: true), key == name else { continue }
            return parts.count > 1 ? PercentEncoding.decode(parts[1], plusAsSpace: true) ?? "" : ""
        }
        return nil
    }

    static func split(_ target: String) -> (path: String, query: String?) {
        var path = Substring(target)
        // absolute-form (through a proxy): keep the path of the URI.
        if !path.hasPrefix("/"), let scheme = path.range(of: "://") {
            path = path[scheme.upperBound...]
            path = path.firstIndex(of: "/").map { path[$0...] } ?? "/"
        }
        guard let mark = path.firstIndex(of: "?") else { return (String(path), nil) }
        return (String(path[..<mark]), String(path[path.index(after: mark)...]))
    }
}

/// Percent-decoding of URL components (RFC 3986 §2.1).
public enum PercentEncoding {
    /// Nil when an escape is malformed or the result is not UTF-8.
    public static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else if plusAsSpace, byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }
}
