import ZCArchive
import ZCCrypto
import ZCHTTP

/// A buffered answer a client may keep: with a strong `ETag`, a `304` when the client's copy is current,
/// gzipped when the client accepts it and that saves anything.
public enum CacheableResponse {
    /// Bodies below this are sent as they are: compressing them saves less than it costs. Bodies made per
    /// request are compressed at level 1 (the JSON shrinks 7 to 8 times all the same, in a third the time).
    static let compressionThreshold = 1024

    public static func make(
        _ bytes: [UInt8], contentType: String, request: HTTPRequest, etag: String? = nil, gzipped: [UInt8]? = nil,
        cacheControl: String = "no-cache"
    ) -> HTTPResponse {
        let tag = etag ?? Self.etag(of: bytes)
        var headers: HTTPHeaders = ["ETag": tag, "Cache-Control": cacheControl, "Vary": "Accept-Encoding"]
        if clientHolds(tag, request) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.set("Content-Type", contentType)
        if accepts(request), let compressed = gzipped ?? compressed(bytes), compressed.count < bytes.count {
            headers.set("Content-Encoding", "gzip")
            return HTTPResponse(headers: headers, bytes: compressed)
        }
        return HTTPResponse(headers: headers, bytes: bytes)
    }

    /// Whether the request's `If-None-Match` names `tag`: `make` answers it with a `304`.
    public static func clientHolds(_ tag: String, _ request: HTTPRequest) -> Bool {
        guard let match = request.headers["If-None-Match"] else { return false }
        // Weak comparison, as RFC 9110 asks of If-None-Match: a proxy that compresses turns the tag weak.
        return match.split(separator: ",").map(trimmed).contains {
            $0 == "*" || $0 == tag || ($0.hasPrefix("W/") && String($0.dropFirst(2)) == tag)
        }
    }

    /// `bytes` gzipped at level 1 as `make` would send them; nil for a body too small to gain.
    public static func compressed(_ bytes: [UInt8]) -> [UInt8]? {
        bytes.count >= compressionThreshold ? (try? GzipBytes.compress(bytes, level: 1)) : nil
    }

    /// A strong validator for `bytes`: the first 128 bits of their SHA-256, quoted.
    public static func etag(of bytes: [UInt8]) -> String {
        "\"" + Array(SHA256Digest.hash(bytes).prefix(16)).hexString + "\""
    }

    /// Whether `Accept-Encoding` names gzip with a weight above zero.
    public static func accepts(_ request: HTTPRequest) -> Bool {
        for value in request.headers.values("Accept-Encoding") {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map(trimmed)
                guard parts.first?.lowercased() == "gzip" else { continue }
                let weight = parts.dropFirst().first { $0.lowercased().hasPrefix("q=") }.flatMap {
                    Double($0.dropFirst(2))
                }
                return (weight ?? 1) > 0
            }
        }
        return false
    }

    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
