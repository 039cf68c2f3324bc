import Glibc

/// Something in a tenant's data directory is not what the platform expects where it must write: a
/// symbolic link, a FIFO, a device node, a hard link to another file. The tenant can write its tree, so
/// the platform refuses rather than follow or write through it.
public struct TenantTreeRefusal: Error, PublicError, Hashable, CustomStringConvertible {
    /// Inside the tenant's directory (`.zeroclaw/config.toml`), never a host path.
    public let path: String
    public let found: String
    public let expected: FileKind

    public init(path: String, found: String, expected: FileKind) {
        self.path = path
        self.found = found
        self.expected = expected
    }

    public var failureKind: FailureKind { .conflict }
    public var publicMessage: String {
        "the tenant's data directory holds \(found) at \(path) where \(expected.withArticle) belongs; the platform does not follow or write through it (remove it, then try again)"
    }
    public var description: String { publicMessage }
}

/// A regular file of a tenant's tree larger than the platform reads (`DirectoryHandle.readFile`): the
/// tenant can grow its files at will, so reads stop at a bound.
public struct TenantFileTooLarge: Error, Hashable, CustomStringConvertible {
    /// Inside the tenant's directory.
    public let path: String
    public let maxBytes: Int

    public init(path: String, maxBytes: Int) {
        self.path = path
        self.maxBytes = maxBytes
    }

    public var description: String {
        "\(path) is larger than the \(maxBytes) bytes the platform reads, or grew while it was read"
    }
}

/// A system call on a tenant's tree (or the directory holding the trees) failed. Its public message
/// names the place inside the tree only; the host path goes to the log through `description`.
public struct TenantTreeFailure: Error, PublicError, Hashable, CustomStringConvertible {
    public let operation: String
    /// Inside the tenant's directory, or a name for the place (`the tenants' directory`).
    public let path: String
    /// Where it is on the host, for the log.
    public let hostPath: String
    public let code: Int32

    public init(_ operation: String, path: String, hostPath: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.hostPath = hostPath
        self.code = code
    }

    public var failureKind: FailureKind { .internalFailure }
    public var publicMessage: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
    public var description: String { "cannot \(operation) \(hostPath): \(String(cString: strerror(code)))" }
}
