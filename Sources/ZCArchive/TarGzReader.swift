import Glibc
import ZCCrypto

/// Reads a `.tar.gz` file entry by entry. Every entry's bytes are checksummed as they pass; a missing
/// end-of-archive marker, a short entry, a bad header or a changed byte is an `ArchiveError`.
public final class TarGzReader {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let size: Int64
        public let isDirectory: Bool
    }

    private let gzip: GzipReader
    private var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    public init(path: String) throws {
        gzip = try GzipReader(file: try ArchiveFile(reading: path))
    }

    /// Reads every entry, handing each file's bytes to `contents` in pieces (and nothing for directories);
    /// returns the entries with their SHA-256, in archive order.
    public func readAll(
        _ contents: (Entry, ArraySlice<UInt8>) throws -> Void
    ) throws -> [(entry: Entry, sha256: [UInt8])] {
        var entries: [(entry: Entry, sha256: [UInt8])] = []
        while true {
            try fill(&block, count: TarHeader.blockSize, what: "a header")
            guard let header = try TarHeader.decode(block[...]) else {
                // The end marker is two zero blocks.
                try fill(&block, count: TarHeader.blockSize, what: "the end of the archive")
                guard block.allSatisfy({ $0 == 0 }) else {
                    throw ArchiveError("the archive is damaged: data after its end marker")
                }
                // Read to the end of the gzip stream, so its CRC and length are checked too.
                while try buffer.withUnsafeMutableBytes({ raw in try gzip.read(into: raw) }) > 0 {}
                return entries
            }
            guard Self.isSafe(header.name) else {
                throw ArchiveError("the archive names a path outside itself: \(header.name)")
            }
            let entry = Entry(name: header.name, size: header.size, isDirectory: header.isDirectory)
            let digest = StreamingSHA256()
            var remaining = header.isDirectory ? 0 : header.size
            while remaining > 0 {
                let want = Int(min(Int64(buffer.count), remaining))
                try fill(&buffer, count: want, what: "the file \(header.name)")
                let piece = buffer[0..<want]
                digest.update(Array(piece))
                try contents(entry, piece)
                remaining -= Int64(want)
            }
            let padding = Int(
                (TarHeader.blockSize - Int(header.size % Int64(TarHeader.blockSize))) % TarHeader.blockSize)
            if !header.isDirectory && padding > 0 { try fill(&block, count: padding, what: "the file \(header.name)") }
            entries.append((entry, digest.finish()))
        }
    }

    /// Reads exactly `count` bytes into the start of `target`.
    private func fill(_ target: inout [UInt8], count: Int, what: String) throws {
        var filled = 0
        while filled < count {
            let read = try target.withUnsafeMutableBytes { raw in
                try gzip.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled..<count]))
            }
            guard read > 0 else { throw ArchiveError("the archive is truncated: it ends inside \(what)") }
            filled += read
        }
    }

    /// Relative, without `..`: an entry can only land inside the directory it is extracted to.
    static func isSafe(_ name: String) -> Bool {
        !name.hasPrefix("/") && !name.split(separator: "/").contains("..") && !name.isEmpty
    }
}
