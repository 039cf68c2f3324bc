import CZlib

/// gzip in memory, for HTTP bodies (`Content-Encoding: gzip`): small inputs, one call.
public enum GzipBytes {
    /// `bytes` compressed into one gzip member.
    public static func compress(_ bytes: [UInt8], level: Int32 = 9) throws -> [UInt8] {
        var stream = z_stream()
        guard zc_deflate_init_gzip(&stream, level) == Z_OK else { throw ArchiveError("zlib: cannot start compression") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(
                    mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw ArchiveError("zlib: compression failed (\(status))") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
