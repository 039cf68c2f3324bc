import Foundation
import ZCCrypto

/// AWS Signature Version 4 for S3 (HMAC-SHA256 from libcrypto): the canonical request, the string to sign,
/// the derived signing key, and the `Authorization` header. The secret is only ever an HMAC key: it is never
/// put in a header, a log or an error.
public struct SignatureV4: Sendable {
    public let accessKeyID: String
    let secretAccessKey: String
    public let sessionToken: String?
    public let region: String
    public let service: String

    public init(
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String,
        service: String = "s3"
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    public static let emptyPayloadHash = SHA256Digest.hash([UInt8]()).hexString

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256`, the session token if any,
    /// and `Authorization`. `path` is already URI-encoded (`S3Path.encode`), `query` is not; `headers`
    /// are signed as they are (names in any case) together with `host`.
    public func sign(
        method: String, host: String, path: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String, date: Date
    ) throws -> [(String, String)] {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        var signed: [(String, String)] = headers.map { ($0.0.lowercased(), Self.trim($0.1)) }
        signed.append(("host", host))
        signed.append(("x-amz-content-sha256", payloadHash))
        signed.append(("x-amz-date", stamp))
        if let sessionToken { signed.append(("x-amz-security-token", sessionToken)) }
        signed.sort { $0.0 < $1.0 }
        let signedNames = signed.map(\.0).joined(separator: ";")
        let canonical = [
            method, path, Self.canonicalQuery(query),
            signed.map { "\($0.0):\($0.1)\n" }.joined(), signedNames, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope)\n\(SHA256Digest.hash(canonical).hexString)"
        var key = try HMACSHA256.authenticationCode(for: Array(day.utf8), key: Array("AWS4\(secretAccessKey)".utf8))
        for part in [region, service, "aws4_request"] {
            key = try HMACSHA256.authenticationCode(for: Array(part.utf8), key: key)
        }
        let signature = try HMACSHA256.authenticationCode(for: Array(toSign.utf8), key: key).hexString
        var added: [(String, String)] = [("x-amz-date", stamp), ("x-amz-content-sha256", payloadHash)]
        if let sessionToken { added.append(("x-amz-security-token", sessionToken)) }
        added.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
            ))
        return added
    }

    /// `20130524T000000Z`.
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        let month = Int(parts.tm_mon) + 1
        let fields: [CVarArg] = [
            year, month, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec),
        ]
        return String(format: "%04ld%02ld%02ldT%02ld%02ld%02ldZ", arguments: fields)
    }

    /// Sorted by name (then value), each `name=value` URI-encoded, joined by `&`.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (encode($0.0), encode($0.1)) }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` when `slash` is
    /// false), as SigV4 asks.
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(hexDigits[Int(byte >> 4)]) + String(hexDigits[Int(byte & 15)])
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF")
    private static let unreserved: Set<UInt8> = Set(
        Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8))

    private static func trim(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
