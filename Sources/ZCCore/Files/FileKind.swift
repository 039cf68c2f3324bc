import Glibc

/// What a directory entry is, as `lstat` tells it (a symbolic link is never followed).
public enum FileKind: String, Sendable, Hashable {
    case directory
    case regularFile = "regular file"
    case symbolicLink = "symbolic link"
    case fifo = "FIFO"
    case characterDevice = "character device"
    case blockDevice = "block device"
    case socket
    case unknown = "special file"

    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFDIR: self = .directory
        case S_IFREG: self = .regularFile
        case S_IFLNK: self = .symbolicLink
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        default: self = .unknown
        }
    }

    /// "a directory", "an unknown …": for messages.
    public var withArticle: String {
        switch self {
        case .fifo: "a FIFO"
        default: "a \(rawValue)"
        }
    }
}
