/// An object's name: a relative path of at most 1,024 bytes whose segments are 1 to 255 bytes (a file
/// name's limit), not `.` or `..`, and made of letters, digits and `._-=+@,` (so it means the same in a URL,
/// a file name and a log).
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    public static let maxBytes = 1024
    public static let maxSegmentBytes = 255
    public let path: String

    public init(_ path: String) throws(ObjectStoreError) {
        guard Self.isValid(path) else {
            throw ObjectStoreError(
                .invalidKey, key: String(path.prefix(80)),
                "an object key is a relative path of letters, digits and ._-=+@, segments of at most \(Self.maxSegmentBytes) bytes (\(Self.maxBytes) in all)"
            )
        }
        self.path = path
    }

    public var description: String { path }

    /// This key under `prefix` (a key or a directory-like prefix ending in `/`).
    public func under(_ prefix: String) throws(ObjectStoreError) -> ObjectKey {
        try ObjectKey(prefix + path)
    }

    public static func isValid(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maxBytes else { return false }
        return isValidPrefix(path) && bytes.last != UInt8(ascii: "/")
    }

    /// A list prefix: empty, or what a key may start with (it may end in `/`).
    public static func isValidPrefix(_ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        guard bytes.count <= maxBytes else { return false }
        if bytes.isEmpty { return true }
        let segments = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            let last = index == segments.count - 1
            if segment.isEmpty { return last && index > 0 }
            if segment.elementsEqual([UInt8(ascii: ".")]) || segment.elementsEqual(Array("..".utf8)) { return false }
            guard segment.count <= maxSegmentBytes, segment.allSatisfy(isAllowed) else { return false }
        }
        return true
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "="), UInt8(ascii: "+"),
            UInt8(ascii: "@"), UInt8(ascii: ","):
            true
        default: false
        }
    }
}
