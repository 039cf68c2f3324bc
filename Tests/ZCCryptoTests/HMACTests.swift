import Testing
import ZCCrypto

@Suite("HMAC-SHA256 over libcrypto")
struct HMACTests {
    /// RFC 4231 §4.2–4.8, HMAC-SHA-256 (test case 5's output is truncated to 128 bits by the RFC).
    static let vectors: [(name: String, key: [UInt8], data: [UInt8], code: String)] = [
        (
            "1", [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            "2", Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            "3", [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        (
            "4", Array(1...25), [UInt8](repeating: 0xcd, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            "5", [UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8),
            "a3b6167473100ee06e0c796c2955552b"
        ),
        (
            "6", [UInt8](repeating: 0xaa, count: 131),
            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        (
            "7", [UInt8](repeating: 0xaa, count: 131),
            Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
                    + "hashed before being used by the HMAC algorithm.").utf8),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]

    @Test("RFC 4231 test vectors", arguments: vectors.map(\.name))
    func rfc4231(_ name: String) throws {
        let vector = try #require(Self.vectors.first { $0.name == name })
        let code = try HMACSHA256.authenticationCode(for: vector.data, key: vector.key)
        #expect(code.count == HMACSHA256.byteCount)
        #expect(Array(code.prefix(vector.code.count / 2)).hexString == vector.code)
    }

    @Test("empty key and message; the String form hashes UTF-8")
    func emptyAndStrings() throws {
        #expect(
            try HMACSHA256.authenticationCode(for: [], key: []).hexString
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        #expect(
            try HMACSHA256.authenticationCode(for: "what do ya want for nothing?", key: "Jefe").hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("verification accepts the code and refuses any other key, message or code")
    func verification() throws {
        let key = Array("key".utf8)
        let message = Array("message".utf8)
        let code = try HMACSHA256.authenticationCode(for: message, key: key)
        #expect(try HMACSHA256.isValid(code, for: message, key: key))
        #expect(try !HMACSHA256.isValid(code, for: Array("messagf".utf8), key: key))
        #expect(try !HMACSHA256.isValid(code, for: message, key: Array("kez".utf8)))
        var flipped = code
        flipped[31] ^= 1
        #expect(try !HMACSHA256.isValid(flipped, for: message, key: key))
        #expect(try !HMACSHA256.isValid(Array(code.prefix(16)), for: message, key: key))
    }
}
