import Foundation
import Glibc

/// The vault's key file: one line per key version, `VERSION CREATED BASE64KEY`, oldest first. Mode 0600:
/// a file readable by anyone but its owner is refused. Written atomically (a temporary file renamed
/// over), so a crash never leaves half a key file.
public struct VaultKeyFile: Sendable {
    public struct Version: Sendable, Hashable {
        public let number: UInt32
        public let created: String
        let key: [UInt8]
    }

    public let path: String
    public let versions: [Version]

    public var newest: Version? { versions.last }

    /// Reads and checks the file: permissions, format, key sizes, increasing versions.
    public static func load(_ path: String) throws(VaultError) -> VaultKeyFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw VaultError.keyFile(
                "the vault key file \(path) does not exist; run `zcplatform bootstrap` to create it")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw VaultError.keyFile(
                "the vault key file \(path) is readable by others (mode \(String(mode, radix: 8))); run `chmod 600 \(path)`"
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VaultError.keyFile("cannot read the vault key file \(path)")
        }
        var versions: [Version] = []
        for (index, rawLine) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: " ")
            guard fields.count == 3, let number = UInt32(fields[0]), number > 0,
                let key = Data(base64Encoded: String(fields[2])), key.count == AESGCM.keyBytes
            else {
                throw VaultError.keyFile("line \(index + 1) of \(path) is not `VERSION CREATED BASE64-32-BYTE-KEY`")
            }
            if let last = versions.last, number <= last.number {
                throw VaultError.keyFile("line \(index + 1) of \(path): versions must increase")
            }
            versions.append(Version(number: number, created: String(fields[1]), key: Array(key)))
        }
        guard !versions.isEmpty else { throw VaultError.keyFile("the vault key file \(path) holds no key") }
        return VaultKeyFile(path: path, versions: versions)
    }

    /// Creates the file with one new key, mode 0600; refuses to overwrite an existing one.
    public static func create(_ path: String) throws(VaultError) -> VaultKeyFile {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw VaultError.keyFile("the vault key file \(path) already exists")
        }
        let file = VaultKeyFile(path: path, versions: [try newVersion(1)])
        try file.write(exclusive: true)
        return file
    }

    /// Appends a new key version (rotation); old versions stay for decryption.
    public func rotated() throws(VaultError) -> VaultKeyFile {
        let next = VaultKeyFile(path: path, versions: versions + [try Self.newVersion((newest?.number ?? 0) + 1)])
        try next.write(exclusive: false)
        return next
    }

    /// Drops `number`; the caller has checked no secret uses it and that it is not the newest.
    public func retiring(_ number: UInt32) throws(VaultError) -> VaultKeyFile {
        guard versions.contains(where: { $0.number == number }) else {
            throw VaultError.keyFile("key version \(number) does not exist")
        }
        guard newest?.number != number else { throw VaultError.keyFile("the newest key version cannot be retired") }
        let next = VaultKeyFile(path: path, versions: versions.filter { $0.number != number })
        try next.write(exclusive: false)
        return next
    }

    func key(_ number: UInt32) -> [UInt8]? {
        versions.first { $0.number == number }?.key
    }

    private static func newVersion(_ number: UInt32) throws(VaultError) -> Version {
        let key: [UInt8]
        do {
            key = try SecureRandom.bytes(AESGCM.keyBytes)
        } catch {
            throw VaultError.crypto(error.description)
        }
        let formatter = ISO8601DateFormatter()
        return Version(number: number, created: formatter.string(from: Date()), key: key)
    }

    private func write(exclusive: Bool) throws(VaultError) {
        var text =
            "# zcplatform vault keys: VERSION CREATED KEY. Keep this file secret and back it up with the database.\n"
        for version in versions {
            text += "\(version.number) \(version.created) \(Data(version.key).base64EncodedString())\n"
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        }
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw VaultError.keyFile("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            unlink(temporary)
            throw VaultError.keyFile("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        if exclusive {
            // link(2) fails when the target exists: no race can overwrite a key file.
            guard link(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw VaultError.keyFile("cannot create \(path): \(reason)")
            }
            unlink(temporary)
        } else {
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw VaultError.keyFile("cannot replace \(path): \(reason)")
            }
        }
    }
}

/// A vault failure. Never carries key material or plaintext.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    case keyFile(String)
    case unknownKeyVersion(UInt32)
    case notSealed
    case doesNotOpen
    case crypto(String)

    public var description: String {
        switch self {
        case .keyFile(let message): message
        case .unknownKeyVersion(let version):
            "the secret was sealed with key version \(version), which the key file does not hold"
        case .notSealed: "the value is not a vault ciphertext"
        case .doesNotOpen: "the secret does not decrypt for this owner (wrong key, or moved from another row)"
        case .crypto(let message): message
        }
    }
}
