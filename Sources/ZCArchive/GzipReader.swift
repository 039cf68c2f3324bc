import CZlib
import Glibc

/// Decompresses a gzip file piece by piece, and says clearly when it is truncated or damaged.
final class GzipReader {
    private var stream = z_stream()
    private let file: ArchiveFile
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    /// Bytes of `input` filled by the last read of the file.
    private var inputCount = 0
    private var inputEnd = false
    private var streamEnded = false

    init(file: ArchiveFile) throws {
        self.file = file
        guard zc_inflate_init_gzip(&stream) == Z_OK else { throw ArchiveError("zlib: cannot start decompression") }
    }

    deinit {
        inflateEnd(&stream)
    }

    /// Fills `buffer` as far as it can; returns the bytes written, 0 only at the end of the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var produced = 0
        while produced < buffer.count && !streamEnded {
            if stream.avail_in == 0 && !inputEnd {
                inputCount = try input.withUnsafeMutableBytes { raw in try file.read(into: raw) }
                if inputCount == 0 { inputEnd = true }
                stream.avail_in = uInt(inputCount)
            }
            let consumed = inputCount - Int(stream.avail_in)
            let status: Int32 = input.withUnsafeMutableBytes { raw in
                buffer.withMemoryRebound(to: Bytef.self) { out in
                    stream.next_in = raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + consumed
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(buffer.count - produced)
                    return inflate(&stream, Z_NO_FLUSH)
                }
            }
            produced = buffer.count - Int(stream.avail_out)
            switch status {
            case Z_STREAM_END:
                streamEnded = true
            case Z_OK, Z_BUF_ERROR:
                if inputEnd && stream.avail_in == 0 {
                    throw ArchiveError("the archive is truncated: its compressed data ends early")
                }
            case Z_DATA_ERROR:
                throw ArchiveError("the archive is damaged: its compressed data is not valid (a changed byte?)")
            default:
                throw ArchiveError("zlib: decompression failed (\(status))")
            }
        }
        return produced
    }
}
