import Glibc

/// Why an archive could not be written or read, in words for the operator.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// A failed system call on `path`, with the system's reason ("No space left on device").
    public static func system(_ what: String, _ path: String, _ code: Int32 = errno) -> ArchiveError {
        ArchiveError("cannot \(what) \(path): \(String(cString: strerror(code)))")
    }
}
