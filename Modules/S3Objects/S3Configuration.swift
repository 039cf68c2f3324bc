import Foundation

/// Where an S3 store is and how to sign for it. `endpoint` is the service's URL (`https://s3.eu-west-1.amazonaws.com`,
/// `http://127.0.0.1:9000` for MinIO); `pathStyle` puts the bucket in the path (`/bucket/key`) rather
/// than the host name (`bucket.host/key`), as most S3-compatible services on one address want.
public struct S3Configuration: Sendable {
    public var bucket: String
    /// Prepended to every key (`backups/` of `s3://bucket/backups/`); empty or ending in `/`.
    public var prefix: String
    public var endpoint: S3Endpoint
    public var region: String
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var pathStyle: Bool
    /// Objects above this size are sent as a multipart upload of `partSize` pieces (S3's least is 5 MiB).
    public var multipartThreshold: Int
    public var partSize: Int
    /// Keys asked for per list request (S3 answers at most 1,000).
    public var listPageSize: Int
    /// Tries of one request when the service is unavailable (a connection error, a 5xx, a 429).
    public var attempts: Int

    public init(
        bucket: String, prefix: String = "", endpoint: S3Endpoint, region: String, accessKeyID: String,
        secretAccessKey: String, sessionToken: String? = nil, pathStyle: Bool, multipartThreshold: Int = 16 << 20,
        partSize: Int = 8 << 20, listPageSize: Int = 1000, attempts: Int = 3
    ) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.pathStyle = pathStyle
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.listPageSize = listPageSize
        self.attempts = attempts
    }

    /// S3's bucket naming rule: 3 to 63 of lower-case letters, digits, `.` and `-`, starting and ending
    /// with a letter or digit.
    public static func isValidBucket(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard alphanumeric(bytes[0]), alphanumeric(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}

/// The service's address: a scheme, a host and a port.
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    public let secure: Bool
    public let host: String
    public let port: Int

    public init(secure: Bool, host: String, port: Int) {
        self.secure = secure
        self.host = host
        self.port = port
    }

    /// `http://host:port` or `https://host[:port]`, with no path, query or user; nil otherwise.
    public init?(url written: String) {
        var url = written.trimmingCharacters(in: .whitespaces)
        if let colon = url.range(of: "://") { url = url[..<colon.lowerBound].lowercased() + url[colon.lowerBound...] }
        let secure: Bool
        let rest: Substring
        if url.hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            secure = false
            rest = url.dropFirst(7)
        } else {
            return nil
        }
        let authority = rest.hasSuffix("/") ? rest.dropLast() : rest
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@"), !authority.contains("?") else {
            return nil
        }
        var host = String(authority)
        var port = secure ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                return nil
            }
            port = number
            host = String(authority[..<colon])
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(secure: secure, host: host, port: port)
    }

    /// AWS's endpoint for `region`.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(secure: true, host: "s3.\(region).amazonaws.com", port: 443)
    }

    public var description: String {
        let scheme = secure ? "https" : "http"
        let defaultPort = secure ? 443 : 80
        let shown = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? "\(scheme)://\(shown)" : "\(scheme)://\(shown):\(port)"
    }

    /// The Host header for `host` at this endpoint's port.
    func hostHeader(_ host: String) -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? shown : "\(shown):\(port)"
    }
}
