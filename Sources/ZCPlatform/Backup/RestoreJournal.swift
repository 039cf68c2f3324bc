import Foundation
import Glibc

/// The plan of a restore's swap of files, written beside the database (synced, by rename) before the
/// first file moves and removed after the restore is recorded. A restore killed at any point is finished
/// by the next `serve` or `restore`: every step is idempotent, and the new files stay in the work
/// directory until moved in, so the database and its key are afterwards either both the old ones (killed
/// before the journal was written) or both the archive's.
struct RestoreJournal: Codable, Sendable, Equatable {
    var database: String
    var key: String
    /// The verified database and key from the archive, in the work directory.
    var newDatabase: String
    var newKey: String
    var work: String
    /// The suffix of the files kept aside (`….pre-restore-<stamp>`).
    var stamp: String
    var archive: String
    var archiveCreatedAt: String
    var schemaFrom: Int
    var actor: String

    static func path(forDatabase database: String) -> String { "\(database).restore-journal" }
    var path: String { Self.path(forDatabase: database) }

    /// The journal left by an unfinished restore of `database`, if any.
    static func load(forDatabase database: String) throws -> RestoreJournal? {
        let path = path(forDatabase: database)
        guard BackupFiles.exists(path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
            let journal = try? JSONDecoder().decode(RestoreJournal.self, from: data)
        else {
            throw BackupError(
                "\(path) is unreadable: a restore was interrupted and its plan is lost; compare the files beside it (….pre-restore-…) and remove the journal by hand"
            )
        }
        return journal
    }

    /// Writes the journal durably: a temporary file synced, renamed into place, the directory synced.
    func write() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let temporary = "\(path).new"
        unlink(temporary)
        try BackupFiles.write(Array(try encoder.encode(self)), to: temporary)
        try BackupFiles.rename(temporary, to: path)
    }

    func remove() {
        unlink(path)
        BackupFiles.syncDirectory(of: path)
    }

    /// The files kept aside, old database first.
    var asides: [(from: String, to: String)] {
        ["-wal", "-shm", ""].map { suffix in (database + suffix, "\(database)\(suffix).pre-restore-\(stamp)") }
            + [(key, "\(key).pre-restore-\(stamp)")]
    }

    /// Does every step not yet done, in order, and returns what was kept aside. Each step is safe to
    /// repeat: the old database goes aside only while the new one has not yet moved in, and the new one
    /// moves in only from the work directory.
    /// - Parameter reached: called after each step (a test hook stops the process there).
    func swap(reached: (String) -> Void = { _ in }) throws -> [String] {
        let databaseIn = !BackupFiles.exists(newDatabase)
        if !databaseIn {
            for (from, to) in asides.dropLast() where BackupFiles.exists(from) && !BackupFiles.exists(to) {
                try BackupFiles.rename(from, to: to)
                reached("aside" + (from.hasSuffix("-wal") ? "-wal" : from.hasSuffix("-shm") ? "-shm" : "-database"))
            }
            try BackupFiles.rename(newDatabase, to: database)
            reached("database")
        }
        if BackupFiles.exists(newKey) {
            let (from, to) = asides[asides.count - 1]
            if BackupFiles.exists(from) && !BackupFiles.exists(to) {
                try BackupFiles.rename(from, to: to)
                reached("aside-key")
            }
            try BackupFiles.move(newKey, to: key)
            reached("key")
        }
        return asides.map(\.to).filter(BackupFiles.exists)
    }
}
