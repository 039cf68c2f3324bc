import Foundation

/// `zcplatform backup prune --output DIR --keep-days N`: the cron recipe's `find … -mtime +14 -delete`,
/// made safe: only this tool's archives, judged by the time in their names, never the newest one; and
/// the leftovers of a backup that was killed (hidden `.partial` and `.work` entries a day old).
public enum BackupPruner {
    public struct Result: Sendable, Equatable {
        public var deleted: [String]
        public var kept: [String]
    }

    public static func prune(directory: String, keepDays: Int, now: Date = Date()) throws -> Result {
        guard keepDays >= 1 else { throw BackupError("--keep-days must be 1 or more") }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw BackupError("cannot read the directory \(directory)")
        }
        let archives = names.compactMap { name in BackupFiles.date(ofArchive: name).map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86_400)
        var result = Result(deleted: [], kept: [])
        for (index, (name, date)) in archives.enumerated() {
            let newest = index == archives.count - 1
            if date < cutoff && !newest {
                let path = (directory as NSString).appendingPathComponent(name)
                do {
                    try FileManager.default.removeItem(atPath: path)
                } catch {
                    throw BackupError("cannot delete \(path): \(error.localizedDescription)")
                }
                result.deleted.append(name)
            } else {
                result.kept.append(name)
            }
        }
        for name in names
        where name.hasPrefix(".zcplatform-backup-") && (name.hasSuffix(".partial") || name.hasSuffix(".work")) {
            let path = (directory as NSString).appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            if now.timeIntervalSince(modified) > 86_400 {
                BackupFiles.removeTree(path)
                result.deleted.append(name)
            }
        }
        return result
    }
}
