/// What a server offers, from its answer to EHLO (RFC 5321 §4.1.1.1): one extension per line after the
/// first, such as `STARTTLS` and `AUTH PLAIN LOGIN`.
struct SMTPCapabilities: Equatable {
    var startTLS = false
    /// Upper-cased SASL mechanism names from `AUTH` (and the obsolete `AUTH=` form).
    var authMechanisms: Set<String> = []

    init() {}

    init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first else { continue }
            switch keyword {
            case "STARTTLS": startTLS = true
            case "AUTH": authMechanisms.formUnion(words.dropFirst())
            default: break
            }
        }
    }
}
