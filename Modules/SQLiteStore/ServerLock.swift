import Foundation
import Glibc

/// The lock a running server holds on its SQLite database (`<db>.lock`, with its pid inside), so that
/// `zcplatform restore` can refuse to swap the files under it and a second server on the same database
/// refuses to start. An advisory `flock`: the kernel releases it when the process ends, so it never goes
/// stale.
public final class ServerLock: Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        Glibc.close(descriptor)
    }

    public static func path(forDatabase database: String) -> String { database + ".lock" }

    /// Takes the lock for this process, or throws naming the process that holds it.
    public static func acquire(forDatabase database: String) throws -> ServerLock {
        let path = path(forDatabase: database)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ServerLockError("cannot open the server lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = pid(in: descriptor)
            Glibc.close(descriptor)
            throw ServerLockError(
                "another zcplatform server\(holder.map { " (pid \($0))" } ?? "") is using \(database); stop it first")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return ServerLock(path: path, descriptor: descriptor)
    }

    /// The pid of the server holding the database's lock, 0 when the holder is unknown; nil when no one
    /// holds it.
    public static func holder(ofDatabase database: String) -> Int32? {
        let path = path(forDatabase: database)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return pid(in: descriptor) ?? 0
    }

    private static func pid(in descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// The server lock cannot be taken: another server holds it, or its file cannot be opened.
public struct ServerLockError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
