import Testing
import ZCCrypto

@Suite("Crypto primitives over libcrypto")
struct CryptoTests {
    @Test("SHA-256 matches the FIPS 180-2 test vectors")
    func sha256() {
        #expect(
            SHA256Digest.hash("abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hash("").hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("random bytes differ between calls and have the asked length")
    func random() throws {
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
        #expect(try SecureRandom.bytes(0).isEmpty)
    }

    @Test("constant-time comparison")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([], []))
    }

    @Test("base64url matches RFC 4648 vectors, without padding")
    func base64url() {
        let vectors: [(String, String)] = [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
        for (input, output) in vectors { #expect(Base64URL.encode(Array(input.utf8)) == output) }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test("bearer tokens: prefix, length, unique, hash is SHA-256 of the text, description redacted")
    func tokens() throws {
        let token = try BearerToken.generate()
        #expect(token.value.hasPrefix("zcp_"))
        #expect(token.value.count == 4 + 43)
        #expect(try BearerToken.generate() != token)
        #expect(token.hash == SHA256Digest.hash(token.value))
        #expect(!"\(token)".contains(token.value))
    }
}
