import ZCCrypto

/// Login codes: six random digits, stored as SHA-256 over a random salt and the code.
enum LoginCodeHasher {
    /// Six digits, uniform: rejection sampling over random 32-bit numbers.
    static func newCode() throws -> String {
        while true {
            let bytes = try SecureRandom.bytes(4)
            let value = bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let limit = UInt32.max - UInt32.max % 1_000_000
            guard value < limit else { continue }
            let code = String(value % 1_000_000)
            return String(repeating: "0", count: 6 - code.count) + code
        }
    }

    static func hash(_ code: String, salt: [UInt8]) -> [UInt8] {
        SHA256Digest.hash(salt + Array(code.utf8))
    }

    static func matches(_ code: String, hash: [UInt8], salt: [UInt8]) -> Bool {
        ConstantTime.equals(Self.hash(code, salt: salt), hash)
    }
}
