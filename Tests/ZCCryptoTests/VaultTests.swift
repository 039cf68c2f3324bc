import Foundation
import Glibc
import Testing
import ZCCore

@testable import ZCCrypto

@Suite("Vault: AES-256-GCM, key file, rotation")
struct VaultTests {
    func keyPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "zc-vault-\(UUID().uuidString.prefix(8))/vault.key"
        ).path
    }

    @Test("AES-256-GCM matches a NIST test vector (gcmEncryptExtIV256, 128-bit tag)")
    func nistVector() throws {
        // NIST CAVP GCM: Key 0x00…00 (256 bits), IV 0x00…00 (96 bits), PT 0x00…00 (128 bits), no AAD.
        let sealed = try AESGCM.seal(
            [UInt8](repeating: 0, count: 16), key: [UInt8](repeating: 0, count: 32),
            nonce: [UInt8](repeating: 0, count: 12),
            associatedData: [])
        #expect(Array(sealed.prefix(16)).hexString == "cea7403d4d606b6e074ec5d3baf39d18")
        #expect(Array(sealed.suffix(16)).hexString == "d0d1c8a799996bf0265b98b5d48ab919")
    }

    @Test("seal and open round-trip; each seal uses a fresh nonce; the version is in the ciphertext")
    func roundTrip() throws {
        let path = keyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        _ = try VaultKeyFile.create(path)
        let vault = try Vault(keyFile: path)
        let secret = "sk-live-0123456789abcdef ✓"
        let first = try vault.seal(secret, owner: "tenant:acme/config/api_key")
        let second = try vault.seal(secret, owner: "tenant:acme/config/api_key")
        #expect(first != second, "fresh nonce per seal")
        #expect(try vault.open(first, owner: "tenant:acme/config/api_key") == secret)
        #expect(try Vault.keyVersion(of: first) == 1)
        #expect(!first.bytes.contains(subsequence: Array(secret.utf8)), "no plaintext in the ciphertext")
        #expect(!"\(first)".contains("sk-live"))
    }

    @Test("a ciphertext moved to another owner, or altered by one byte, does not open")
    func bound() throws {
        let path = keyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        _ = try VaultKeyFile.create(path)
        let vault = try Vault(keyFile: path)
        let sealed = try vault.seal("token-123", owner: "tenant:acme/channel:tg/token")
        #expect(throws: VaultError.doesNotOpen) { try vault.open(sealed, owner: "tenant:beta/channel:tg/token") }
        #expect(throws: VaultError.doesNotOpen) { try vault.open(sealed, owner: "tenant:acme/channel:other/token") }
        for index in [7, 12, sealed.bytes.count / 2, sealed.bytes.count - 1] {
            var tampered = sealed.bytes
            tampered[index] ^= 0x01
            #expect(throws: VaultError.self) {
                try vault.open(SealedSecret(bytes: tampered), owner: "tenant:acme/channel:tg/token")
            }
        }
        #expect(throws: VaultError.notSealed) { try vault.open(SealedSecret(bytes: [1, 2, 3]), owner: "x") }
    }

    @Test("rotation appends a version a running vault picks up; old secrets still open; rewrap moves them")
    func rotation() async throws {
        let path = keyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        _ = try VaultKeyFile.create(path)
        let vault = try Vault(keyFile: path)
        let old = try vault.seal("before", owner: "o")
        try await Task.sleep(for: .milliseconds(20))
        _ = try VaultKeyFile.load(path).rotated()
        // The running vault re-reads the changed file (checked at most once a second).
        try await Task.sleep(for: .milliseconds(1100))
        let new = try vault.seal("after", owner: "o")
        #expect(try Vault.keyVersion(of: new) == 2)
        #expect(try vault.open(old, owner: "o") == "before", "old versions stay for decryption")
        let rewrapped = try #require(try vault.rewrap(old, owner: "o"))
        #expect(try Vault.keyVersion(of: rewrapped) == 2)
        #expect(try vault.open(rewrapped, owner: "o") == "before")
        #expect(try vault.rewrap(rewrapped, owner: "o") == nil, "already under the newest key")
        #expect(try VaultKeyFile.load(path).versions.map(\.number) == [1, 2])
        #expect(throws: VaultError.self) { _ = try VaultKeyFile.load(path).retiring(2) }
        let retired = try VaultKeyFile.load(path).retiring(1)
        #expect(retired.versions.map(\.number) == [2])
    }

    @Test("a key file readable by others, missing, malformed, or already existing is refused clearly")
    func refusals() throws {
        let path = keyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(throws: VaultError.self) { _ = try VaultKeyFile.load(path) }
        _ = try VaultKeyFile.create(path)
        var status = stat()
        stat(path, &status)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(throws: VaultError.self) { _ = try VaultKeyFile.create(path) }
        chmod(path, 0o644)
        let wide = #expect(throws: VaultError.self) { _ = try VaultKeyFile.load(path) }
        #expect(wide?.description.contains("chmod 600") == true)
        chmod(path, 0o600)
        try Data("1 2026-01-01T00:00:00Z not-base64\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o600)
        let malformed = #expect(throws: VaultError.self) { _ = try VaultKeyFile.load(path) }
        #expect(malformed?.description.contains("line 1") == true)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
