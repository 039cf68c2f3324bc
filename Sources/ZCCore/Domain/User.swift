/// A person who signs in: an operator, or a customer's member of one or more tenants.
public struct User: Sendable, Hashable, Codable {
    public var id: Int64
    /// Lower-cased, unique.
    public var email: String
    public var isSuperAdmin: Bool
    public var isDisabled: Bool
    public var createdAt: Timestamp
    public var lastLoginAt: Timestamp?

    public init(
        id: Int64, email: String, isSuperAdmin: Bool, isDisabled: Bool = false, createdAt: Timestamp,
        lastLoginAt: Timestamp? = nil
    ) {
        self.id = id
        self.email = email
        self.isSuperAdmin = isSuperAdmin
        self.isDisabled = isDisabled
        self.createdAt = createdAt
        self.lastLoginAt = lastLoginAt
    }
}

/// A user to be created; the store assigns the id.
public struct NewUser: Sendable, Hashable {
    public var email: String
    public var isSuperAdmin: Bool
    public var createdAt: Timestamp

    /// Normalizes and validates `email`.
    public init(email: String, isSuperAdmin: Bool = false, createdAt: Timestamp) throws(ValidationError) {
        self.email = try EmailAddress.normalize(email)
        self.isSuperAdmin = isSuperAdmin
        self.createdAt = createdAt
    }
}

/// The email rule: one `@`, a non-empty local part and a dotted domain, at most 254 characters, no spaces.
public enum EmailAddress {
    /// The canonical, lower-cased form of `text`, or a validation error.
    public static func normalize(_ text: String) throws(ValidationError) -> String {
        let trimmed = text.trimmingWhitespace().lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !trimmed.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
        else {
            throw ValidationError(field: "email", "is not a valid email address")
        }
        return trimmed
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    package func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
            let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
