/// A tenant's slug: chosen at creation, immutable, `^[a-z][a-z0-9-]{1,38}[a-z0-9]$`.
///
/// It names the tenant's container (`zeroclaw-tenant-{id}`), its data directory and its subdomain.
public struct TenantID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `rawValue` against the slug rule.
    public init(_ rawValue: String) throws(ValidationError) {
        guard TenantID.isValid(rawValue) else {
            throw ValidationError(
                field: "id",
                "must be 3 to 40 characters of a-z, 0-9 and '-', start with a letter and not end with '-'")
        }
        self.rawValue = rawValue
    }

    /// For values read back from a store, which only ever holds validated slugs.
    package init(trusted rawValue: String) {
        self.rawValue = rawValue
    }

    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (3...40).contains(bytes.count) else { return false }
        for (index, byte) in bytes.enumerated() {
            let isLetter = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let isDash = byte == UInt8(ascii: "-")
            switch index {
            case 0: guard isLetter else { return false }
            case bytes.count - 1: guard isLetter || isDigit else { return false }
            default: guard isLetter || isDigit || isDash else { return false }
            }
        }
        return true
    }

    /// The Docker container name of this tenant's agent.
    public var containerName: String { "zeroclaw-tenant-\(rawValue)" }

    public var description: String { rawValue }

    public static func < (lhs: TenantID, rhs: TenantID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension TenantID: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.publicMessage)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
