/// Why an object store call failed. The message names the store's location and the key, never a
/// credential or a signature.
public struct ObjectStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// No object of that key.
        case notFound
        /// The key (or prefix) breaks `ObjectKey`'s rule.
        case invalidKey
        /// The store refused the credentials or the signature (S3's 403s).
        case refused
        /// The bucket or directory does not exist.
        case missingContainer
        /// The store could not be reached, or answered 5xx: worth trying again later.
        case unavailable
        /// An object larger than the caller reads.
        case tooLarge
        /// The local disk: a full disk, a permission.
        case localFailure
        /// The store answered something this driver does not understand.
        case malformedAnswer
    }

    public let kind: Kind
    public let key: String?
    public let reason: String

    public init(_ kind: Kind, key: String? = nil, _ reason: String) {
        self.kind = kind
        self.key = key
        self.reason = reason
    }

    /// Whether trying the same call again may succeed.
    public var isTransient: Bool { kind == .unavailable }

    public var description: String {
        if let key { return "object \(key): \(reason)" }
        return reason
    }
}
