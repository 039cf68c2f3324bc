import Glibc

/// A file opened for the archive code: whole writes and reads with EINTR retried, errors with the path.
final class ArchiveFile {
    let descriptor: Int32
    let path: String
    private var closed = false

    init(reading path: String) throws {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        self.path = path
        guard descriptor >= 0 else { throw ArchiveError.system("open", path) }
    }

    /// Creates `path`, which must not exist, with `mode`.
    init(creating path: String, mode: mode_t = 0o600) throws {
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        self.path = path
        guard descriptor >= 0 else { throw ArchiveError.system("create", path) }
    }

    /// Opens an existing file (a device such as /dev/full, in tests) for writing.
    init(appendingTo path: String) throws {
        descriptor = open(path, O_WRONLY | O_CLOEXEC)
        self.path = path
        guard descriptor >= 0 else { throw ArchiveError.system("open", path) }
    }

    deinit {
        if !closed { Glibc.close(descriptor) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.system("write", path)
            }
            offset += written
        }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress!, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.system("read", path)
            }
            return count
        }
    }

    /// Flushes to the disk, then closes.
    func syncAndClose() throws {
        guard !closed else { return }
        closed = true
        let synced = fsync(descriptor)
        let code = errno
        Glibc.close(descriptor)
        if synced != 0 { throw ArchiveError.system("flush", path, code) }
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(descriptor)
    }
}
