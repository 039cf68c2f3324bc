/// The 512-byte POSIX ustar header of one regular file (or directory), written and read exactly: octal
/// fields, the checksum over the header with its own field as spaces, and base-256 sizes past 8 GiB.
struct TarHeader: Equatable {
    static let blockSize = 512

    var name: String
    var size: Int64
    var mode: UInt32 = 0o600
    var modificationTime: Int64 = 0
    var isDirectory = false

    /// Whether `name` fits a header: at most 100 bytes, or split at a `/` into a prefix of at most 155
    /// and a name of at most 100.
    static func fits(_ name: String) -> Bool { split(Array(name.utf8)) != nil }

    /// `(prefix, name)` of a path, the prefix empty when the path fits the name field alone.
    static func split(_ path: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        guard !path.isEmpty else { return nil }
        if path.count <= 100 { return ([], path) }
        for index in path.indices.reversed() where path[index] == UInt8(ascii: "/") {
            let (prefix, name) = (Array(path[..<index]), Array(path[(index + 1)...]))
            if name.count > 100 { break }
            if prefix.count <= 155, !name.isEmpty { return (prefix, name) }
        }
        return nil
    }

    func encoded() throws -> [UInt8] {
        guard let (prefixBytes, nameBytes) = Self.split(Array(name.utf8)) else {
            throw ArchiveError("tar: the name \(name) is empty or longer than a ustar header holds")
        }
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        block.replaceSubrange(0..<nameBytes.count, with: nameBytes)
        block.replaceSubrange(345..<345 + prefixBytes.count, with: prefixBytes)
        Self.octal(Int64(mode), into: &block, at: 100, width: 8)
        Self.octal(0, into: &block, at: 108, width: 8)
        Self.octal(0, into: &block, at: 116, width: 8)
        if size < 0o77777777777 {
            Self.octal(size, into: &block, at: 124, width: 12)
        } else {
            // GNU base-256: the high bit of the first byte set, the value big-endian in the rest.
            block[124] = 0x80
            for index in 0..<8 { block[135 - index] = UInt8(truncatingIfNeeded: size >> (8 * index)) }
        }
        Self.octal(modificationTime, into: &block, at: 136, width: 12)
        block[156] = isDirectory ? UInt8(ascii: "5") : UInt8(ascii: "0")
        block.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
        block.replaceSubrange(263..<265, with: Array("00".utf8))
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int64($1) }
        Self.octal(sum, into: &block, at: 148, width: 7)
        block[155] = UInt8(ascii: " ")
        return block
    }

    /// The header in `block`, nil for an all-zero block (the end of the archive).
    static func decode(_ block: ArraySlice<UInt8>) throws -> TarHeader? {
        let bytes = Array(block)
        guard bytes.count == blockSize else { throw ArchiveError("the archive is truncated: a header is cut short") }
        if bytes.allSatisfy({ $0 == 0 }) { return nil }
        var copy = bytes
        for index in 148..<156 { copy[index] = UInt8(ascii: " ") }
        let sum = copy.reduce(0) { $0 + Int64($1) }
        guard let recorded = octalValue(bytes[148..<156]), recorded == sum else {
            throw ArchiveError("the archive is damaged: a tar header's checksum does not match")
        }
        guard bytes[257..<262].elementsEqual("ustar".utf8) else {
            throw ArchiveError("the archive is not a zcplatform backup: not a ustar tar")
        }
        let name = string(bytes[0..<100])
        let prefix = string(bytes[345..<500])
        let size: Int64
        if bytes[124] & 0x80 != 0 {
            size = bytes[128..<136].reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        } else {
            guard let value = octalValue(bytes[124..<136]) else {
                throw ArchiveError("the archive is damaged: a tar header's size is not a number")
            }
            size = value
        }
        let type = bytes[156]
        guard type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "5") else {
            throw ArchiveError("the archive holds an entry of a kind backups never write (type \(type))")
        }
        return TarHeader(
            name: prefix.isEmpty ? name : prefix + "/" + name, size: size,
            mode: UInt32(octalValue(bytes[100..<108]) ?? 0o600), modificationTime: octalValue(bytes[136..<148]) ?? 0,
            isDirectory: type == UInt8(ascii: "5"))
    }

    static func octal(_ value: Int64, into block: inout [UInt8], at offset: Int, width: Int) {
        let digits = Array(String(value, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits
        block.replaceSubrange(offset..<offset + width - 1, with: padded.suffix(width - 1))
        block[offset + width - 1] = 0
    }

    static func octalValue(_ field: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") {
                if digits > 0 { break } else { continue }
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + Int64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}
