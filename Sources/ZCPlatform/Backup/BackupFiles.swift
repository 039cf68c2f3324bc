import Foundation
import Glibc

/// File steps backup and restore share: names, private work directories, renames that reach the disk.
enum BackupFiles {
    static let archivePrefix = "zcplatform-backup-"
    static let archiveSuffix = ".tar.gz"

    /// `zcplatform-backup-YYYY-MM-DD-HHMMSS.tar.gz` for `date`, in UTC.
    static func archiveName(at date: Date) -> String {
        archivePrefix + stamp(date, format: "yyyy-MM-dd-HHmmss") + archiveSuffix
    }

    /// The time an archive's name carries, nil for any other name.
    static func date(ofArchive name: String) -> Date? {
        guard name.hasPrefix(archivePrefix), name.hasSuffix(archiveSuffix) else { return nil }
        let middle = name.dropFirst(archivePrefix.count).dropLast(archiveSuffix.count)
        guard middle.count == 17 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd-HHmmss"
        return formatter.date(from: String(middle))
    }

    static func stamp(_ date: Date, format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }

    /// A new directory only this user can enter.
    static func makePrivateDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 else {
            throw BackupError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Renames `source` to `target` and makes the rename durable (the directory is synced).
    static func rename(_ source: String, to target: String) throws {
        guard Glibc.rename(source, target) == 0 else {
            throw BackupError("cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
        }
        syncDirectory(of: target)
    }

    static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Copies `source` to the new file `target` (mode 0600) and syncs it: for moves across filesystems.
    static func copy(_ source: String, to target: String) throws {
        guard let data = FileManager.default.contents(atPath: source) else {
            throw BackupError("cannot read \(source)")
        }
        let descriptor = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BackupError("cannot create \(target): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw BackupError("cannot write \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `bytes` to the new file `path` (mode 0600) and syncs it.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BackupError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw BackupError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Renames, or where the target is on another filesystem copies to a temporary beside it, renames that
    /// into place and removes the source: either way the target appears whole, at once.
    static func move(_ source: String, to target: String) throws {
        if Glibc.rename(source, target) == 0 {
            syncDirectory(of: target)
            return
        }
        guard errno == EXDEV else {
            throw BackupError("cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
        }
        let temporary = "\(target).restore-\(getpid())"
        unlink(temporary)
        try copy(source, to: temporary)
        try rename(temporary, to: target)
        unlink(source)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
