import Glibc

/// What a `put` stores: bytes in memory, or a local file read in pieces (a backup archive of gigabytes is
/// never held whole). `read` hands out the next piece of at most `max` bytes, nil at the end; a body is
/// read once, from the start, by one task.
public struct ObjectBody: Sendable {
    /// The byte count when known up front (a file's size at open, an array's count).
    public let size: Int?
    private let reader: @Sendable (_ max: Int) throws -> [UInt8]?
    private let rewinder: @Sendable () throws -> Void

    public init(
        size: Int?, read: @escaping @Sendable (_ max: Int) throws -> [UInt8]?,
        rewind: @escaping @Sendable () throws -> Void
    ) {
        self.size = size
        reader = read
        rewinder = rewind
    }

    public func read(max: Int) throws -> [UInt8]? { try reader(max) }
    /// Starts again from the first byte (a retried upload).
    public func rewind() throws { try rewinder() }

    /// Everything left, refused past `limit`.
    public func readAll(limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let piece = try read(max: 1 << 20) {
            bytes += piece
            guard bytes.count <= limit else {
                throw ObjectStoreError(.tooLarge, "the body is larger than \(limit) bytes")
            }
        }
        return bytes
    }

    public static func bytes(_ bytes: [UInt8]) -> ObjectBody {
        let cursor = ByteCursor(bytes)
        return ObjectBody(size: bytes.count, read: { cursor.next($0) }, rewind: { cursor.rewind() })
    }

    /// The file at `path` (opened now, closed when the body is released).
    public static func file(_ path: String) throws(ObjectStoreError) -> ObjectBody {
        let file = try ObjectFileReader(path: path)
        return ObjectBody(size: file.size, read: { try file.next($0) }, rewind: { try file.rewind() })
    }
}

private final class ByteCursor: @unchecked Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func next(_ max: Int) -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + Swift.max(1, max))
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    func rewind() { offset = 0 }
}

/// A local file read in pieces for an upload.
final class ObjectFileReader: @unchecked Sendable {
    let path: String
    let size: Int
    private let fd: Int32

    init(path: String) throws(ObjectStoreError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw ObjectStoreError(
                code == ENOENT ? .notFound : .localFailure, "cannot open \(path): \(String(cString: strerror(code)))")
        }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ObjectStoreError(.localFailure, "\(path) is not a regular file")
        }
        self.path = path
        self.fd = fd
        size = Int(status.st_size)
    }

    deinit { close(fd) }

    func next(_ max: Int) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Swift.max(1, max))
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ObjectStoreError(.localFailure, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            filled += count
        }
        guard filled > 0 else { return nil }
        return Array(buffer[0..<filled])
    }

    func rewind() throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw ObjectStoreError(.localFailure, "cannot rewind \(path): \(String(cString: strerror(errno)))")
        }
    }
}
