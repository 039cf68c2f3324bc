import CCrypto

/// HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) through libcrypto's one-shot `HMAC`.
public enum HMACSHA256 {
    /// The length of a code, in bytes.
    public static let byteCount = Int(SHA256_DIGEST_LENGTH)

    /// The 32-byte authentication code of `message` under `key` (any length, empty included).
    public static func authenticationCode(for message: [UInt8], key: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard key.count <= Int(Int32.max) else { throw CryptoError("HMAC key too long") }
        var code = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        // libcrypto reads no byte of an empty key or message, but wants a non-null pointer for the key.
        let keyBytes = key.isEmpty ? [0] : key
        let messageBytes = message.isEmpty ? [0] : message
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                code.withUnsafeMutableBufferPointer { output in
                    HMAC(
                        EVP_sha256(), keyBuffer.baseAddress, Int32(key.count), messageBuffer.baseAddress, message.count,
                        output.baseAddress, &length)
                }
            }
        }
        guard result != nil, Int(length) == byteCount else { throw CryptoError("HMAC-SHA256 failed") }
        return code
    }

    /// The code of the UTF-8 bytes of `message` under the UTF-8 bytes of `key`.
    public static func authenticationCode(for message: String, key: String) throws(CryptoError) -> [UInt8] {
        try authenticationCode(for: Array(message.utf8), key: Array(key.utf8))
    }

    /// Whether `code` is the code of `message` under `key`, compared in constant time.
    public static func isValid(_ code: [UInt8], for message: [UInt8], key: [UInt8]) throws(CryptoError) -> Bool {
        ConstantTime.equals(try authenticationCode(for: message, key: key), code)
    }
}
