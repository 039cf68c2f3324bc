import Foundation
import ZCCore
import ZCCrypto

/// The vault's operations for the CLI and the platform: open (creating the key file on a store that
/// holds no secrets yet), rotate, rewrap, status, retire. Each change is audited.
public enum VaultAdministration {
    /// Opens the vault at `path`. A missing key file is created only when the store holds no sealed
    /// secrets; otherwise refusing is the only safe answer (a new key could open none of them).
    public static func open(path: String, store: any Store, logger: Logger) async throws -> Vault {
        if !FileManager.default.fileExists(atPath: path) {
            let sealed = try await store.read { try await $0.storedSecrets() }.count
            guard sealed == 0 else {
                throw VaultError.keyFile(
                    "the vault key file \(path) is missing but \(sealed) secret(s) are sealed in the store; restore it from the backup it was saved with"
                )
            }
            do {
                _ = try VaultKeyFile.create(path)
                logger.notice("vault.key_created", ["path": path])
            } catch {
                // Another process (a second node starting on the same host) may have just created it.
                guard FileManager.default.fileExists(atPath: path) else { throw error }
            }
        }
        return try Vault(keyFile: path)
    }

    public struct Status: Sendable {
        public var versions: [(number: UInt32, created: String, secrets: Int)]
        /// Secrets sealed under a version the key file no longer holds, or not vault ciphertexts.
        public var unreadable: Int

        public var text: String {
            var lines = ["version  created               secrets"]
            for version in versions {
                lines.append(
                    String(version.number).padding(toLength: 9, withPad: " ", startingAt: 0)
                        + version.created.padding(toLength: 22, withPad: " ", startingAt: 0) + String(version.secrets))
            }
            if unreadable > 0 { lines.append("unreadable: \(unreadable) secret(s) under keys this file does not hold") }
            return lines.joined(separator: "\n")
        }
    }

    public static func status(vault: Vault, store: any Store) async throws -> Status {
        let secrets = try await store.read { try await $0.storedSecrets() }
        var counts: [UInt32: Int] = [:]
        var unreadable = 0
        let known = Set(vault.versions.map(\.number))
        for secret in secrets {
            if let version = try? Vault.keyVersion(of: secret.sealed), known.contains(version) {
                counts[version, default: 0] += 1
            } else {
                unreadable += 1
            }
        }
        return Status(
            versions: vault.versions.map { ($0.number, $0.created, counts[$0.number] ?? 0) }, unreadable: unreadable)
    }

    /// Appends a key version; new secrets use it at once (a running server re-reads the file).
    public static func rotate(path: String, store: any Store) async throws -> UInt32 {
        let rotated = try VaultKeyFile.load(path).rotated()
        let version = rotated.newest?.number ?? 0
        try await store.withTransaction { transaction in
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: .now(), actor: "system:cli", action: "vault.rotate",
                    detail: ["version": .number(Double(version))]))
        }
        return version
    }

    /// Seals every secret again under the newest key, each only if it was not changed meanwhile.
    /// Returns how many were rewrapped and how many were skipped (changed concurrently, or already current).
    public static func rewrap(vault: Vault, store: any Store) async throws -> (rewrapped: Int, skipped: Int) {
        let secrets = try await store.read { try await $0.storedSecrets() }
        var rewrapped = 0
        var skipped = 0
        for secret in secrets {
            guard let fresh = try vault.rewrap(secret.sealed, owner: secret.location.owner) else {
                skipped += 1
                continue
            }
            let replaced = try await store.withTransaction {
                try await $0.replaceSealedSecret(at: secret.location, expected: secret.sealed, with: fresh)
            }
            if replaced { rewrapped += 1 } else { skipped += 1 }
        }
        let summary: [String: JSONValue] = [
            "rewrapped": .number(Double(rewrapped)), "skipped": .number(Double(skipped)),
            "version": .number(Double(vault.versions.last?.number ?? 0)),
        ]
        try await store.withTransaction { transaction in
            try await transaction.appendAudit(
                NewAuditEvent(at: .now(), actor: "system:cli", action: "vault.rewrap", detail: summary))
        }
        return (rewrapped, skipped)
    }

    /// Removes a key version from the file; refused while any secret still uses it.
    public static func retire(version: UInt32, path: String, vault: Vault, store: any Store) async throws {
        let status = try await status(vault: vault, store: store)
        if let entry = status.versions.first(where: { $0.number == version }), entry.secrets > 0 {
            throw VaultError.keyFile(
                "key version \(version) still protects \(entry.secrets) secret(s); run `zcplatform rotate-key --rewrap` first"
            )
        }
        _ = try VaultKeyFile.load(path).retiring(version)
        try await store.withTransaction { transaction in
            try await transaction.appendAudit(
                NewAuditEvent(
                    at: .now(), actor: "system:cli", action: "vault.retire",
                    detail: ["version": .number(Double(version))]))
        }
    }
}
