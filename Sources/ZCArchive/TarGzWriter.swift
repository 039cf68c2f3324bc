import Glibc
import ZCCrypto

/// Writes a `.tar.gz` file entry by entry, streaming each file's bytes through gzip and SHA-256: a
/// database of any size passes through one buffer.
public final class TarGzWriter {
    private let gzip: GzipWriter
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    /// Whether `name` can be written: a ustar header holds at most 100 bytes, or 255 split at a `/`.
    public static func fits(_ name: String) -> Bool { TarHeader.fits(name) }

    /// Creates `path`, which must not exist. `level` is deflate's, 1 (fastest) to 9 (smallest).
    public init(creating path: String, level: Int32 = 6) throws {
        gzip = try GzipWriter(file: try ArchiveFile(creating: path), level: level)
    }

    /// Adds the file at `source` as `name`; returns its SHA-256 and size.
    @discardableResult
    public func addFile(
        _ name: String, from source: String, mode: UInt32 = 0o600, modificationTime: Int64
    )
        throws -> (sha256: [UInt8], bytes: Int64)
    {
        let file = try ArchiveFile(reading: source)
        defer { file.close() }
        var info = stat()
        guard fstat(file.descriptor, &info) == 0 else { throw ArchiveError.system("read", source) }
        let size = Int64(info.st_size)
        let digest = try addFile(
            name, descriptor: file.descriptor, size: size, mode: mode, modificationTime: modificationTime)
        return (digest, size)
    }

    /// Adds the regular file open at `descriptor` (which stays open) as `name`, `size` bytes of it: a
    /// file whose path must not be resolved again (one in a tenant's tree, opened with `O_NOFOLLOW`).
    /// Returns its SHA-256.
    @discardableResult
    public func addFile(
        _ name: String, descriptor: Int32, size: Int64, mode: UInt32 = 0o600, modificationTime: Int64
    ) throws -> [UInt8] {
        try gzip.write(
            try TarHeader(name: name, size: size, mode: mode, modificationTime: modificationTime).encoded())
        let digest = StreamingSHA256()
        var remaining = size
        while remaining > 0 {
            let want = Int(min(Int64(buffer.count), remaining))
            let count = buffer.withUnsafeMutableBytes { raw in Glibc.read(descriptor, raw.baseAddress, want) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw ArchiveError("\(name) shrank while it was being archived") }
            let chunk = Array(buffer[0..<count])
            digest.update(chunk)
            try gzip.write(chunk)
            remaining -= Int64(count)
        }
        try pad(size)
        return digest.finish()
    }

    /// Adds the directory `name`.
    public func addDirectory(_ name: String, mode: UInt32 = 0o700, modificationTime: Int64) throws {
        try gzip.write(
            try TarHeader(name: name, size: 0, mode: mode, modificationTime: modificationTime, isDirectory: true)
                .encoded())
    }

    /// Adds `bytes` as the file `name`; returns their SHA-256.
    @discardableResult
    public func addData(
        _ name: String, _ bytes: [UInt8], mode: UInt32 = 0o600, modificationTime: Int64
    )
        throws -> [UInt8]
    {
        try gzip.write(
            try TarHeader(name: name, size: Int64(bytes.count), mode: mode, modificationTime: modificationTime)
                .encoded())
        try gzip.write(bytes)
        try pad(Int64(bytes.count))
        return SHA256Digest.hash(bytes)
    }

    /// Writes the end-of-archive blocks and the gzip trailer, and flushes the file to the disk.
    public func finish() throws {
        try gzip.write([UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
        try gzip.finish()
    }

    private func pad(_ size: Int64) throws {
        let remainder = Int(size % Int64(TarHeader.blockSize))
        if remainder > 0 { try gzip.write([UInt8](repeating: 0, count: TarHeader.blockSize - remainder)) }
    }
}
