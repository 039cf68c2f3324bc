import Foundation
import Synchronization
import ZCCore

/// Seals and opens secrets with AES-256-GCM under the newest key of the key file.
///
/// A sealed secret is `"ZV" 0x01 | key version (4 bytes, big-endian) | nonce (12) | ciphertext | tag (16)`.
/// Its owner (`tenant:acme/channel:support/token`) is authenticated as associated data, so a
/// ciphertext copied into another row does not open. The key file is re-read when it changes (checked at
/// most once a second), so `zcplatform rotate-key` takes effect in a running server without a restart.
public final class Vault: Sendable {
    static let magic: [UInt8] = [0x5A, 0x56, 0x01]  // "ZV", format 1
    static let headerBytes = 3 + 4 + AESGCM.nonceBytes

    public let path: String
    private let state: Mutex<(file: VaultKeyFile, stamp: FileStamp, checked: UInt64)>

    struct FileStamp: Equatable {
        var modified: timespec
        var size: Int
        var inode: UInt

        static func == (lhs: FileStamp, rhs: FileStamp) -> Bool {
            lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
                && lhs.size == rhs.size && lhs.inode == rhs.inode
        }

        static func of(_ path: String) -> FileStamp? {
            var status = stat()
            guard stat(path, &status) == 0 else { return nil }
            return FileStamp(modified: status.st_mtim, size: Int(status.st_size), inode: UInt(status.st_ino))
        }
    }

    /// Opens the vault on an existing key file (checked: mode 0600, format).
    public init(keyFile path: String) throws(VaultError) {
        self.path = path
        let file = try VaultKeyFile.load(path)
        let stamp = FileStamp.of(path) ?? FileStamp(modified: timespec(), size: 0, inode: 0)
        state = Mutex((file, stamp, Self.now()))
    }

    /// The key versions, oldest first, as the file holds them now.
    public var versions: [(number: UInt32, created: String)] {
        current().versions.map { ($0.number, $0.created) }
    }

    public func seal(_ plaintext: String, owner: String) throws(VaultError) -> SealedSecret {
        let file = current()
        guard let newest = file.newest else { throw VaultError.keyFile("no key") }
        let nonce: [UInt8]
        let body: [UInt8]
        do {
            nonce = try SecureRandom.bytes(AESGCM.nonceBytes)
            body = try AESGCM.seal(
                Array(plaintext.utf8), key: newest.key, nonce: nonce, associatedData: Self.associatedData(owner))
        } catch {
            throw VaultError.crypto(error.description)
        }
        var bytes = Self.magic
        withUnsafeBytes(of: newest.number.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: nonce)
        bytes.append(contentsOf: body)
        return SealedSecret(bytes: bytes)
    }

    public func open(_ sealed: SealedSecret, owner: String) throws(VaultError) -> String {
        let version = try Self.keyVersion(of: sealed)
        guard let key = current(refreshIfMissing: version).key(version) else {
            throw VaultError.unknownKeyVersion(version)
        }
        let bytes = sealed.bytes
        let nonce = Array(bytes[7..<Self.headerBytes])
        do {
            let plaintext = try AESGCM.open(
                Array(bytes[Self.headerBytes...]), key: key, nonce: nonce, associatedData: Self.associatedData(owner))
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw VaultError.doesNotOpen
        }
    }

    /// The key version a sealed secret was made with.
    public static func keyVersion(of sealed: SealedSecret) throws(VaultError) -> UInt32 {
        let bytes = sealed.bytes
        guard bytes.count >= headerBytes + AESGCM.tagBytes, Array(bytes[0..<3]) == magic else {
            throw VaultError.notSealed
        }
        return bytes[3..<7].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Seals again under the newest key (after `rotate-key`); returns nil when already there.
    public func rewrap(_ sealed: SealedSecret, owner: String) throws(VaultError) -> SealedSecret? {
        guard try Self.keyVersion(of: sealed) != current().newest?.number else { return nil }
        return try seal(try open(sealed, owner: owner), owner: owner)
    }

    /// A key for `purpose` derived from the vault key of `version` (the newest when nil): HMAC-SHA256 of
    /// the purpose under the vault key, so a key shared by the cluster's nodes never leaves the vault and
    /// no derived key opens a secret. Nil when the version is unknown.
    public func derivedKey(purpose: String, version: UInt32? = nil) -> (version: UInt32, key: [UInt8])? {
        let file = current(refreshIfMissing: version)
        guard let chosen = version.map({ wanted in file.versions.first { $0.number == wanted } }) ?? file.newest,
            let key = try? HMACSHA256.authenticationCode(
                for: Array("zcplatform-derived-1|\(purpose)".utf8), key: chosen.key)
        else { return nil }
        return (chosen.number, key)
    }

    /// Names the newest key without revealing it: `v{version}:{16 hex digits}`, the start of a key derived
    /// for this alone. Two nodes with the same fingerprint sign and check each other's forwarded requests;
    /// empty when the file holds no key.
    public var fingerprint: String {
        guard let (version, key) = derivedKey(purpose: "key-fingerprint") else { return "" }
        return "v\(version):" + Array(key.prefix(8)).hexString
    }

    static func associatedData(_ owner: String) -> [UInt8] {
        Array("zcplatform-vault-1|\(owner)".utf8)
    }

    /// The key file, re-read when it changed on disk (checked at most once a second, or at once when a
    /// secret names a version not yet known).
    private func current(refreshIfMissing version: UInt32? = nil) -> VaultKeyFile {
        state.withLock { state in
            let now = Self.now()
            let missing = version.map { state.file.key($0) == nil } ?? false
            guard missing || now - state.checked >= 1_000_000_000 else { return state.file }
            state.checked = now
            if let stamp = FileStamp.of(path), stamp != state.stamp, let reloaded = try? VaultKeyFile.load(path) {
                state.file = reloaded
                state.stamp = stamp
            }
            return state.file
        }
    }

    private static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
