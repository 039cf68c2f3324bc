import Testing
import ZCCrypto

/// SHA-256 against the FIPS 180-2 examples (and the empty message), from many threads at once: the
/// algorithm is fetched once and shared.
@Suite("SHA-256")
struct SHA256DigestTests {
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ]

    @Test("the standard's examples, the same from eight threads at once")
    func knownAnswers() async {
        for (message, digest) in Self.vectors {
            #expect(SHA256Digest.hash(message).hexString == digest, "\(message)")
        }
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(
            SHA256Digest.hash(million).hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        let agreed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<500).allSatisfy { _ in
                        Self.vectors.allSatisfy { SHA256Digest.hash($0.0).hexString == $0.1 }
                    }
                }
            }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(agreed)
    }
}
