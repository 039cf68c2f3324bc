/// One mailbox: an address `local@domain`, with an optional display name for the sender
/// (`zcplatform <alerts@example.com>`).
///
/// Deliberately stricter than RFC 5322: ASCII addresses only, no quoted local parts, comments, groups or
/// address literals, no spaces or angle brackets inside the address, and never a CR, LF or NUL anywhere.
/// What it accepts can be written into an SMTP command (`RCPT TO:<…>`) and a header field as it is, so a
/// crafted recipient cannot add a command or a header.
struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// Why a text is not an address this notifier accepts.
    struct Invalid: Error, Equatable {
        var reason: String
    }

    /// `local@domain`.
    let address: String
    /// The name shown before the address, when the text had one (`Name <addr>`).
    let displayName: String?

    /// The part after the `@`.
    var domain: String { String(address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...]) }

    var description: String { address }

    /// The characters RFC 5322 allows in a local part besides letters and digits (`atext`), and the dot.
    private static let localSymbols = Set("!#$%&'*+-/=?^_`{|}~.".unicodeScalars)

    /// Parses `local@domain` or `Name <local@domain>` (the name may be quoted).
    init(parsing text: String) throws(Invalid) {
        guard !text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw Invalid(reason: "\(Self.shown(text)) holds a line break or a NUL")
        }
        let trimmed = text.trimmingWhitespace
        var name: String?
        var address = trimmed
        if let open = trimmed.firstIndex(of: "<") {
            guard trimmed.last == ">", trimmed.filter({ $0 == "<" || $0 == ">" }).count == 2 else {
                throw Invalid(reason: "\(Self.shown(text)) is not `address` or `Name <address>`")
            }
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var shownName = String(trimmed[..<open]).trimmingWhitespace
            if shownName.count >= 2, shownName.hasPrefix("\""), shownName.hasSuffix("\"") {
                shownName = String(shownName.dropFirst().dropLast())
            }
            guard !shownName.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw Invalid(reason: "the name in \(Self.shown(text)) holds a control character")
            }
            guard shownName.utf8.count <= 200 else {
                throw Invalid(reason: "the name in \(Self.shown(text)) is longer than 200 bytes")
            }
            name = shownName.isEmpty ? nil : shownName
        }
        try Self.check(address, in: text)
        self.address = address
        self.displayName = name
    }

    /// Accepts `local@domain` as the type describes; throws saying what is wrong otherwise.
    private static func check(_ address: String, in text: String) throws(Invalid) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty
        else {
            throw Invalid(reason: "\(shown(text)) is not an address of the form local@domain")
        }
        guard address.utf8.count <= 254, local.utf8.count <= 64 else {
            throw Invalid(reason: "\(shown(text)) is too long for an address")
        }
        let localOK = local.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || localSymbols.contains($0) }
        guard localOK, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw Invalid(
                reason: "the local part of \(shown(text)) may hold only letters, digits, dots and !#$%&'*+-/=?^_`{|}~")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let domainOK = labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "-" }
        }
        guard domainOK else {
            throw Invalid(reason: "the domain of \(shown(text)) is not a host name (letters, digits, hyphens, dots)")
        }
    }

    /// The text as an error shows it: quoted, control characters escaped, cut to 100 characters.
    static func shown(_ text: String) -> String {
        String(reflecting: text.count > 100 ? String(text.prefix(100)) + "…" : text)
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        (0x30...0x39).contains(value) || (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
