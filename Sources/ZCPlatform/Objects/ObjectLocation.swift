import Foundation
import S3Objects
import ZCCore

/// Where objects go, as an operator writes it: `s3://bucket/prefix/` (the prefix optional) or
/// `file:///mounted/path`. The prefix is kept with a trailing `/` so keys never run into it.
public enum ObjectLocation: Sendable, Hashable, CustomStringConvertible {
    case s3(bucket: String, prefix: String)
    case directory(path: String)

    /// Whether `text` is meant as an object location rather than a local path.
    public static func isURL(_ text: String) -> Bool {
        let written = normalized(text)
        return written.hasPrefix("s3://") || written.hasPrefix("file://")
    }

    /// Spaces around it dropped and its scheme lower-cased (`S3://`, ` file:///x `).
    static func normalized(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.range(of: "://") else { return trimmed }
        return trimmed[..<colon.lowerBound].lowercased() + trimmed[colon.lowerBound...]
    }

    /// Parses `text`; the error names `key` and says what was wrong.
    public static func parse(_ written: String, key: String) throws(ConfigurationError) -> ObjectLocation {
        let text = normalized(written)
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst(5)
            let bucket = String(rest.prefix { $0 != "/" })
            guard S3Configuration.isValidBucket(bucket) else {
                throw ConfigurationError(
                    "\(key): \(text.debugDescription) does not name an S3 bucket (s3://BUCKET/PREFIX/, a bucket of 3-63 of a-z, 0-9, . and -)"
                )
            }
            var prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
            if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
            guard ObjectKey.isValidPrefix(prefix) else {
                throw ConfigurationError(
                    "\(key): the prefix of \(text.debugDescription) is not a key prefix (segments of letters, digits and ._-=+@,)"
                )
            }
            return .s3(bucket: bucket, prefix: prefix)
        }
        if text.hasPrefix("file://") {
            let path = String(text.dropFirst(7))
            guard path.hasPrefix("/"), !path.contains("/../"), !path.hasSuffix("/..") else {
                throw ConfigurationError(
                    "\(key): \(text.debugDescription) is not file:///ABSOLUTE/PATH (three slashes: file:// and the path's own)"
                )
            }
            return .directory(path: path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        }
        throw ConfigurationError(
            "\(key): \(text.debugDescription) is neither s3://BUCKET/PREFIX/ nor file:///PATH")
    }

    public var description: String {
        switch self {
        case .s3(let bucket, let prefix): "s3://\(bucket)/\(prefix)"
        case .directory(let path): "file://\(path)"
        }
    }
}
