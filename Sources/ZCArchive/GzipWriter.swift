import CZlib
import Glibc

/// Compresses what it is given into a gzip file (zlib's deflate, level 6), streaming: memory stays at
/// one buffer whatever the size of the data.
final class GzipWriter {
    private var stream = z_stream()
    private let file: ArchiveFile
    private var output = [UInt8](repeating: 0, count: 1 << 16)
    private var finished = false

    init(file: ArchiveFile, level: Int32 = 6) throws {
        self.file = file
        guard zc_deflate_init_gzip(&stream, level) == Z_OK else { throw ArchiveError("zlib: cannot start compression") }
    }

    deinit {
        deflateEnd(&stream)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in try write(raw) }
    }

    /// Writes the gzip trailer and flushes the file to the disk.
    func finish() throws {
        guard !finished else { return }
        finished = true
        stream.next_in = nil
        stream.avail_in = 0
        try pump(flush: Z_FINISH)
        try file.syncAndClose()
    }

    private func pump(flush: Int32) throws {
        while true {
            let status: Int32 = output.withUnsafeMutableBytes { buffer in
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                return deflate(&stream, flush)
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw ArchiveError("zlib: compression failed (\(status))")
            }
            let produced = output.count - Int(stream.avail_out)
            if produced > 0 {
                try output.withUnsafeBytes { raw in
                    try file.write(UnsafeRawBufferPointer(rebasing: raw[0..<produced]))
                }
            }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { return }
            } else if stream.avail_in == 0 && stream.avail_out > 0 {
                return
            }
        }
    }
}
