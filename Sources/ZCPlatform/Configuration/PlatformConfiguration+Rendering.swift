import Foundation
import ZCTOML

extension PlatformConfiguration {
    /// The effective configuration as TOML, secrets redacted, each key commented with its origin.
    public func renderedTOML() -> String {
        var sections: [String: [(String, TOMLValue)]] = [:]
        for (name, value) in values {
            let parts = name.split(separator: ".").map(String.init)
            let section = parts.dropLast().joined(separator: ".")
            sections[section, default: []].append((parts.last ?? name, redact(name, value)))
        }
        var lines: [String] = []
        lines.append("# zcplatform effective configuration")
        lines.append("# file: \(file ?? "none (defaults)")")
        for section in sections.keys.sorted() {
            lines.append("")
            lines.append("[\(section)]")
            for (key, value) in sections[section, default: []].sorted(by: { $0.0 < $1.0 }) {
                let text = TOML.encode(TOMLTable([(key, value)])).trimmingWhitespace()
                let origin = sources["\(section).\(key)"].map { "  # from \($0)" } ?? ""
                lines.append(text + origin)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Secret keys are replaced whole (a URL keeps its shape); any other value holding a URL loses its
    /// userinfo and query, where tokens hide (`https://hooks.example/x?token=…`).
    private func redact(_ name: String, _ value: TOMLValue) -> TOMLValue {
        guard case .string(let text) = value else { return value }
        let pattern = ConfigurationLoader.patternPath(name.split(separator: ".").map(String.init).dropLast())
        let key = name.split(separator: ".").last.map(String.init) ?? name
        let secret =
            keys.first(where: {
                $0.section.joined(separator: ".") == pattern && $0.name == key
            })?.secret ?? false
        if text.contains("://") || (secret && text.contains("password=")) {
            return .string(URLRedaction.redacting(text))
        }
        return secret ? .string("<redacted>") : value
    }
}

/// Shows a URL without what may be a credential: its userinfo and its query.
/// `postgres://app:pw@db:5432/zc?sslmode=require` → `postgres://<redacted>@db:5432/zc?<redacted>`; a
/// libpq keyword string loses its `password=` value.
public enum URLRedaction {
    public static func redacting(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else {
            guard url.contains("password=") else { return url }
            return url.split(separator: " ", omittingEmptySubsequences: false).map { part in
                part.hasPrefix("password=") ? "password=<redacted>" : part
            }.joined(separator: " ")
        }
        var result = String(url[..<scheme.upperBound])
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            result += "<redacted>@" + authority[authority.index(after: at)...]
        } else {
            result += authority
        }
        let tail = rest[authorityEnd...]
        if let question = tail.firstIndex(of: "?") {
            result += tail[..<question] + "?<redacted>"
            if let hash = tail[question...].firstIndex(of: "#") { result += tail[hash...] }
        } else {
            result += tail
        }
        return result
    }
}
