import ZCCrypto

/// How a webhook request is signed when the notifier has a secret, so a receiver can tell it came from
/// this platform and is recent.
///
/// Each request carries two header fields:
///
/// - `X-ZCPlatform-Timestamp`: the Unix time of the attempt in whole seconds, in decimal (`1767225600`);
/// - `X-ZCPlatform-Signature`: `sha256=` and the lower-case hexadecimal HMAC-SHA256, keyed with the UTF-8
///   bytes of the secret, of the signed message.
///
/// The signed message is the timestamp exactly as sent in `X-ZCPlatform-Timestamp`, one `.` (0x2E), then
/// the exact bytes of the request body: `"<timestamp>.<body>"`, as Stripe does. Binding the time lets a
/// receiver refuse replays: it recomputes the code over the raw body it received (before any JSON
/// parsing), compares in constant time, and rejects timestamps more than a few minutes away from its
/// clock. Each retry is signed afresh with its own timestamp; the body is the same on every attempt.
public enum WebhookSignature {
    public static let signatureHeader = "X-ZCPlatform-Signature"
    public static let timestampHeader = "X-ZCPlatform-Timestamp"

    /// The bytes the code is computed over: `"<timestamp>.<body>"`.
    public static func signedMessage(body: [UInt8], timestamp: Int64) -> [UInt8] {
        Array("\(timestamp).".utf8) + body
    }

    /// The value of `X-ZCPlatform-Signature`: `sha256=<hex>`.
    public static func signature(body: [UInt8], timestamp: Int64, secret: String) throws(CryptoError) -> String {
        let code = try HMACSHA256.authenticationCode(
            for: signedMessage(body: body, timestamp: timestamp), key: Array(secret.utf8))
        return "sha256=" + code.hexString
    }
}
