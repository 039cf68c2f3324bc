/// An opaque bearer credential: `zcp_` and 43 characters of base64url over 32 random bytes.
///
/// Only its SHA-256 hash is stored; the token itself is shown to its owner once.
public struct BearerToken: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "zcp_"

    /// The secret text. Never log it.
    public let value: String

    public init(value: String) {
        self.value = value
    }

    /// A new token from 32 bytes of the CSPRNG.
    public static func generate() throws(CryptoError) -> BearerToken {
        BearerToken(value: prefix + Base64URL.encode(try SecureRandom.bytes(32)))
    }

    /// What the store keeps.
    public var hash: [UInt8] { Self.hash(of: value) }

    /// What the store keeps for the token `text` (a header's slice, say), without making a token of it.
    public static func hash(of text: some StringProtocol) -> [UInt8] { SHA256Digest.hash(Array(text.utf8)) }

    /// Redacted, so a token printed by accident shows nothing.
    public var description: String { "BearerToken(redacted)" }
}

/// Base64url without padding (RFC 4648 §5).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [
                alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)],
                alphabet[Int(n & 63)],
            ]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
