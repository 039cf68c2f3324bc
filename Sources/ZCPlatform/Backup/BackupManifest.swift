import Foundation
import ZCCore

/// `manifest.json`, the last entry of every backup archive: what the archive holds and how to check it.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let currentFormat = 1
    /// The archive's entries other than the manifest.
    public static let databaseEntry = "zcplatform.db"
    public static let vaultKeyEntry = "vault.key"
    public static let manifestEntry = "manifest.json"

    public struct FileEntry: Codable, Sendable, Equatable {
        /// Lower-case hex SHA-256 of the entry's bytes.
        public var sha256: String
        public var bytes: Int64
    }

    public var format: Int
    public var platformVersion: String
    public var schemaVersion: Int
    /// RFC 3339, UTC.
    public var createdAt: String
    public var storeDriver: String
    public var node: String
    /// `sqlite-database`: `zcplatform.db` is a SQLite snapshot of the whole database.
    public var contents: String
    public var files: [String: FileEntry]
    public var rowCounts: [String: Int]

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    static func decode(_ bytes: [UInt8]) throws -> BackupManifest {
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(BackupManifest.self, from: Data(bytes))
        } catch {
            throw BackupError("the archive's manifest.json is not a zcplatform backup manifest")
        }
    }
}

/// A backup or restore that cannot go on, said in one line for the operator (and cron's mail).
public struct BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
