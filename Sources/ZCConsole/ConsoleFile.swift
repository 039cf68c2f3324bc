import ZCArchive

/// One file of the console as it is served: its bytes, gzipped where that is smaller, and a strong
/// validator (the SHA-256 of the bytes) for conditional requests.
public struct ConsoleFile: Sendable {
    public let name: String
    public let contentType: String
    public let bytes: [UInt8]
    /// The same bytes gzipped, when that saves anything.
    public let gzipped: [UInt8]?
    public let etag: String

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        contentType = Self.contentType(of: name)
        etag = CacheableResponse.etag(of: bytes)
        let compressed = try? GzipBytes.compress(bytes)
        gzipped = compressed.flatMap { $0.count < bytes.count ? $0 : nil }
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}
